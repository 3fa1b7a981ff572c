#include "tests/support/upstream/raw_header_lines.h"

namespace ficus::testing {
namespace {

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> raw_header_lines(std::string_view head) {
  std::vector<std::pair<std::string, std::string>> fields;
  auto line_end = head.find("\r\n");
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 2);
    line_end = head.find("\r\n");
    const std::string_view line = head.substr(0, line_end);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    fields.emplace_back(std::string(line.substr(0, colon)),
                        std::string(trim(line.substr(colon + 1))));
  }
  return fields;
}

}  // namespace ficus::testing
