// constant_time_equals: compares a presented secret (admin token, override secret) with the
// expected one in time that does not depend on where they differ, so the secret cannot be found
// one byte at a time by measuring responses.
#pragma once

#include <string_view>

namespace ficus::proxy {

inline bool constant_time_equals(std::string_view presented, std::string_view expected) {
  // Compare over the expected length whatever the presented one is, folding in the length check.
  unsigned char diff = presented.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    unsigned char p = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
    diff |= static_cast<unsigned char>(p ^ static_cast<unsigned char>(expected[i]));
  }
  return diff == 0;
}

}  // namespace ficus::proxy
