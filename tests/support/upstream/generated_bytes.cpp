#include "tests/support/upstream/generated_bytes.h"

namespace ficus::testing {

std::string generated_bytes(std::uint64_t offset, std::uint64_t count) {
  std::string out;
  out.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) out.push_back(generated_byte(offset + i));
  return out;
}

}  // namespace ficus::testing
