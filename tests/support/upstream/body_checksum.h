// BodyChecksum: the CRC-32 (IEEE, as in zlib) that TestUpstream reports for request bodies and that
// `/sink` answers. Tests compute the same value over what they sent, without keeping bodies twice.
//
//   BodyChecksum sum;
//   sum.update(first_half);
//   sum.update(second_half);
//   EXPECT_EQ(sum.value(), body_checksum(first_half + second_half));
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ficus::testing {

class BodyChecksum {
 public:
  void update(const void* data, std::size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  std::uint32_t value() const;

 private:
  std::uint32_t remainder_ = 0xFFFFFFFF;  // boost::crc_32_type's interim state, before final xor
};

// CRC-32 of `bytes` in one call; body_checksum("") == 0.
std::uint32_t body_checksum(std::string_view bytes);

}  // namespace ficus::testing
