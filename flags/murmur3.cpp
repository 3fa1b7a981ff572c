#include "flags/murmur3.h"

namespace ficus::flags {
namespace {

constexpr std::uint32_t kC1 = 0xcc9e2d51;
constexpr std::uint32_t kC2 = 0x1b873593;

constexpr std::uint32_t rotl32(std::uint32_t x, int r) {
  return (x << r) | (x >> (32 - r));
}

constexpr std::uint32_t mix_k1(std::uint32_t k1) {
  k1 *= kC1;
  k1 = rotl32(k1, 15);
  return k1 * kC2;
}

constexpr std::uint32_t fmix32(std::uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

}  // namespace

void Murmur3::update(std::string_view bytes) {
  total_length_ += bytes.size();
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const unsigned char* end = p + bytes.size();

  // Blocks are little-endian 4-byte words; a block may straddle two update() calls.
  while (p != end && (pending_bytes_ != 0 || end - p < 4)) {
    pending_ |= static_cast<std::uint32_t>(*p++) << (8 * pending_bytes_);
    if (++pending_bytes_ == 4) {
      h1_ ^= mix_k1(pending_);
      h1_ = rotl32(h1_, 13) * 5 + 0xe6546b64;
      pending_ = 0;
      pending_bytes_ = 0;
    }
  }
  for (; end - p >= 4; p += 4) {
    const std::uint32_t k1 =
        static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
        (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
    h1_ ^= mix_k1(k1);
    h1_ = rotl32(h1_, 13) * 5 + 0xe6546b64;
  }
  while (p != end) {
    pending_ |= static_cast<std::uint32_t>(*p++) << (8 * pending_bytes_);
    ++pending_bytes_;
  }
}

std::uint32_t Murmur3::finish() const {
  std::uint32_t h1 = h1_;
  if (pending_bytes_ != 0) h1 ^= mix_k1(pending_);
  h1 ^= static_cast<std::uint32_t>(total_length_);
  return fmix32(h1);
}

std::uint32_t murmur3_x86_32(std::string_view bytes, std::uint32_t seed) {
  Murmur3 hasher(seed);
  hasher.update(bytes);
  return hasher.finish();
}

}  // namespace ficus::flags
