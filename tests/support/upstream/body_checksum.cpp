#include "tests/support/upstream/body_checksum.h"

#include <boost/crc.hpp>

namespace ficus::testing {

struct BodyChecksum::Crc {
  boost::crc_32_type state;
};

BodyChecksum::BodyChecksum() : crc_(std::make_unique<Crc>()) {}
BodyChecksum::~BodyChecksum() = default;
BodyChecksum::BodyChecksum(BodyChecksum&&) noexcept = default;
BodyChecksum& BodyChecksum::operator=(BodyChecksum&&) noexcept = default;

void BodyChecksum::update(const void* data, std::size_t size) {
  if (size > 0) crc_->state.process_bytes(data, size);
}

std::uint32_t BodyChecksum::value() const {
  return crc_->state.checksum();
}

std::uint32_t body_checksum(std::string_view bytes) {
  BodyChecksum sum;
  sum.update(bytes);
  return sum.value();
}

}  // namespace ficus::testing
