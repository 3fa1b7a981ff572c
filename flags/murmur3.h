// MurmurHash3 x86_32: the hash flagd's `fractional` operator buckets with.
//
// Written by hand because no Debian package ships MurmurHash3 (smhasher is not packaged). The
// incremental form lets the evaluator hash `flagKey + targetingKey` without building the
// concatenated string, so the fractional hot path does not allocate.
//
//   std::uint32_t h = ficus::flags::murmur3_x86_32("orders-cutoveruser-42");  // 1558193588
//
//   ficus::flags::Murmur3 hasher;              // same value, no concatenation
//   hasher.update("orders-cutover");
//   hasher.update("user-42");
//   std::uint32_t same = hasher.finish();
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ficus::flags {

// Streaming MurmurHash3 x86_32. Feed bytes with update() in any split; finish() once.
class Murmur3 {
 public:
  explicit Murmur3(std::uint32_t seed = 0) : h1_(seed) {}

  void update(std::string_view bytes);
  std::uint32_t finish() const;

 private:
  std::uint32_t h1_;
  std::uint32_t pending_ = 0;        // up to 3 bytes not yet forming a whole block
  std::uint32_t pending_bytes_ = 0;  // how many bytes `pending_` holds
  std::size_t total_length_ = 0;
};

// One-shot MurmurHash3 x86_32 over the bytes of `bytes`.
std::uint32_t murmur3_x86_32(std::string_view bytes, std::uint32_t seed = 0);

}  // namespace ficus::flags
