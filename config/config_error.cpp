#include "config/config_error.h"

#include <fmt/format.h>

namespace ficus::config {

std::string ConfigError::to_string() const {
  std::string where = file;
  if (line != 0) where += fmt::format(":{}:{}", line, column);
  if (!path.empty()) where += where.empty() ? path : ": " + path;
  return where.empty() ? message : where + ": " + message;
}

}  // namespace ficus::config
