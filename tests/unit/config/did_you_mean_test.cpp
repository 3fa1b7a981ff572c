#include "config/did_you_mean.h"

#include <array>

#include <gtest/gtest.h>

namespace ficus::config {
namespace {

constexpr std::array<std::string_view, 4> kKeys = {"name", "timeout_ms", "path_prefix", "threads"};

TEST(ClosestMatch, FindsOneEditTypos) {
  EXPECT_EQ(closest_match("nmae", kKeys), "name");       // swapped neighbours
  EXPECT_EQ(closest_match("treads", kKeys), "threads");  // letter left out
  EXPECT_EQ(closest_match("path_prefx", kKeys), "path_prefix");
  EXPECT_EQ(closest_match("timeout_mx", kKeys), "timeout_ms");
}

TEST(ClosestMatch, FindsAKeyMissingItsUnitSuffix) {
  EXPECT_EQ(closest_match("timeout", kKeys), "timeout_ms");
}

TEST(ClosestMatch, ReturnsNothingWhenNothingIsClose) {
  EXPECT_EQ(closest_match("colour", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("x", kKeys), std::nullopt);
  EXPECT_EQ(closest_match("na", kKeys), std::nullopt);  // too short to be a prefix guess
}

TEST(ClosestMatch, PrefersTheSmallestEdit) {
  constexpr std::array<std::string_view, 2> keys = {"header", "headers"};
  EXPECT_EQ(closest_match("headersz", keys), "headers");  // 1 edit, vs 2 for "header"
  EXPECT_EQ(closest_match("headr", keys), "header");      // 1 edit, vs 2 for "headers"
}

}  // namespace
}  // namespace ficus::config
