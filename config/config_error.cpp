#include "config/config_error.h"

#include <fmt/format.h>

namespace ficus::config {

std::string ConfigError::to_string() const {
  std::string where = file;
  if (line != 0) where += fmt::format(":{}:{}", line, column);
  if (!path.empty()) where += ": " + path;
  return where + ": " + message;
}

}  // namespace ficus::config
