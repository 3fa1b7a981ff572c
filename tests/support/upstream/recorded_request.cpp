#include "tests/support/upstream/recorded_request.h"

#include <algorithm>
#include <cctype>

namespace ficus::testing {
namespace {

bool same_name(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::optional<std::string> RecordedRequest::header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (same_name(field, name)) return value;
  }
  return std::nullopt;
}

std::vector<std::string> RecordedRequest::header_values(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [field, value] : headers) {
    if (same_name(field, name)) values.push_back(value);
  }
  return values;
}

}  // namespace ficus::testing
