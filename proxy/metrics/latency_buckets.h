// Latency bucket layouts: the Prometheus histogram's (few, human-chosen bounds) and the comparison
// window's (many, log-spaced, so p50/p95/p99 can be estimated by interpolation).
//
//   std::size_t b = duration_bucket(std::chrono::milliseconds(3));  // bucket with le=0.005
//   std::size_t w = window_bucket(std::chrono::milliseconds(3));
//   double p99 = estimate_quantile(window_counts, 0.99);           // seconds
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

namespace ficus::proxy::metrics {

// ficus_request_duration_seconds: 0.5 ms .. 10 s, the usual 1-2.5-5 steps. A last bucket (+Inf)
// follows, so there are kDurationBounds.size() + 1 buckets.
inline constexpr std::array<double, 14> kDurationBounds = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};
inline constexpr std::size_t kDurationBuckets = kDurationBounds.size() + 1;

// Index of the first bucket whose bound is >= d (Prometheus "le" semantics); the last is +Inf.
std::size_t duration_bucket(std::chrono::nanoseconds d) noexcept;

// The comparison window: bucket i < 41 holds latencies up to 100 us * 2^(i/2) (100 us .. 104.9 s,
// each bound sqrt(2) above the previous); bucket 41 holds everything slower. Forty-two 32-bit
// counters per second keep a 15-minute ring at 155 KiB per worker, route and target, while
// interpolation keeps quantile error well under the 41 % bucket width.
inline constexpr std::size_t kWindowBuckets = 42;

std::size_t window_bucket(std::chrono::nanoseconds d) noexcept;

// Upper bound of window bucket i in seconds; i must be < kWindowBuckets - 1.
double window_bucket_upper_seconds(std::size_t i) noexcept;

// The q-quantile (0 < q <= 1) of a window histogram in seconds, interpolated linearly inside the
// bucket that holds it, like PromQL's histogram_quantile. An observation in the overflow bucket
// is reported as the last finite bound. 0 when the histogram is empty.
double estimate_quantile(std::span<const std::uint64_t, kWindowBuckets> counts, double q) noexcept;

}  // namespace ficus::proxy::metrics
