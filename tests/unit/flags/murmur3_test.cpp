#include "flags/murmur3.h"

#include <gtest/gtest.h>

#include "flag_test_support.h"

namespace ficus::flags {
namespace {

TEST(Murmur3, MatchesEverySharedVector) {
  const auto vectors = testing::test_vectors().at("murmur3_x86_32");
  ASSERT_GE(vectors.size(), 10u);
  for (const auto& v : vectors) {
    const std::string input = v.at("input");
    EXPECT_EQ(murmur3_x86_32(input, v.at("seed").get<std::uint32_t>()),
              v.at("hash").get<std::uint32_t>())
        << "input: " << input;
  }
}

TEST(Murmur3, IncrementalHashEqualsOneShotAtEverySplit) {
  const std::string text = "orders-cutoveruser-42 with a longer tail";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    for (std::size_t second = split; second <= text.size(); ++second) {
      Murmur3 hasher;
      hasher.update(std::string_view(text).substr(0, split));
      hasher.update(std::string_view(text).substr(split, second - split));
      hasher.update(std::string_view(text).substr(second));
      ASSERT_EQ(hasher.finish(), murmur3_x86_32(text)) << "splits at " << split << ", " << second;
    }
  }
}

TEST(Murmur3, SeedChangesTheHash) {
  EXPECT_NE(murmur3_x86_32("abc", 0), murmur3_x86_32("abc", 1));
}

}  // namespace
}  // namespace ficus::flags
