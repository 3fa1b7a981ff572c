#include "proxy/metrics/latency_buckets.h"

#include <array>

#include <gtest/gtest.h>

namespace ficus::proxy::metrics {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

TEST(LatencyBuckets, DurationBucketUsesLessOrEqualBounds) {
  EXPECT_EQ(duration_bucket(microseconds(0)), 0u);
  EXPECT_EQ(duration_bucket(microseconds(500)), 0u);  // le=0.0005 includes 0.5 ms
  EXPECT_EQ(duration_bucket(microseconds(501)), 1u);
  EXPECT_EQ(duration_bucket(seconds(10)), kDurationBounds.size() - 1);
  EXPECT_EQ(duration_bucket(seconds(11)), kDurationBounds.size());  // +Inf
}

TEST(LatencyBuckets, WindowBoundsGrowBySquareRootOfTwoFrom100Microseconds) {
  EXPECT_DOUBLE_EQ(window_bucket_upper_seconds(0), 0.0001);
  EXPECT_DOUBLE_EQ(window_bucket_upper_seconds(2), 0.0002);
  for (std::size_t i = 1; i < kWindowBuckets - 1; ++i) {
    EXPECT_NEAR(window_bucket_upper_seconds(i) / window_bucket_upper_seconds(i - 1), 1.41421, 1e-4);
  }
  EXPECT_EQ(window_bucket(microseconds(100)), 0u);
  EXPECT_EQ(window_bucket(microseconds(101)), 1u);
  EXPECT_EQ(window_bucket(seconds(1000)), kWindowBuckets - 1);
}

TEST(LatencyBuckets, QuantileInterpolatesInsideTheBucket) {
  std::array<std::uint64_t, kWindowBuckets> counts{};
  counts[2] = 100;  // (141.4 us, 200 us]
  EXPECT_NEAR(estimate_quantile(counts, 0.5), 0.0001414 + 0.5 * (0.0002 - 0.0001414), 1e-7);
  EXPECT_NEAR(estimate_quantile(counts, 1.0), 0.0002, 1e-12);
}

TEST(LatencyBuckets, QuantilePicksTheBucketHoldingTheRank) {
  std::array<std::uint64_t, kWindowBuckets> counts{};
  counts[0] = 98;
  counts[20] = 2;  // (102.4 ms, 144.8 ms]
  EXPECT_LE(estimate_quantile(counts, 0.5), 0.0001);
  EXPECT_GT(estimate_quantile(counts, 0.99), window_bucket_upper_seconds(19));
  EXPECT_LE(estimate_quantile(counts, 0.99), window_bucket_upper_seconds(20));
}

TEST(LatencyBuckets, OverflowReportsTheLastFiniteBoundAndEmptyIsZero) {
  std::array<std::uint64_t, kWindowBuckets> counts{};
  EXPECT_EQ(estimate_quantile(counts, 0.99), 0.0);
  counts[kWindowBuckets - 1] = 1;
  EXPECT_DOUBLE_EQ(estimate_quantile(counts, 0.99),
                   window_bucket_upper_seconds(kWindowBuckets - 2));
}

}  // namespace
}  // namespace ficus::proxy::metrics
