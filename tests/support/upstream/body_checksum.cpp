#include "tests/support/upstream/body_checksum.h"

#include <boost/crc.hpp>

namespace ficus::testing {

void BodyChecksum::update(const void* data, std::size_t size) {
  boost::crc_32_type crc(remainder_);
  crc.process_bytes(data, size);
  remainder_ = crc.get_interim_remainder();
}

std::uint32_t BodyChecksum::value() const {
  return boost::crc_32_type(remainder_).checksum();
}

std::uint32_t body_checksum(std::string_view bytes) {
  BodyChecksum sum;
  sum.update(bytes);
  return sum.value();
}

}  // namespace ficus::testing
