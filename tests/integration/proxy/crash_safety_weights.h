// The weight the crash-safety writer (flag_file_writer.cpp) gives write number n: every write
// differs from the one before it, so each one really rewrites the file.
#pragma once

#include <cstdint>

namespace ficus::testing {

inline std::uint32_t weight_of_write(unsigned long n) {
  return static_cast<std::uint32_t>((n * 7919UL) % 1'000'001UL);
}

}  // namespace ficus::testing
