#include "proxy/metrics/latency_buckets.h"

#include <algorithm>

namespace ficus::proxy::metrics {
namespace {

constexpr std::array<std::int64_t, kDurationBounds.size()> kDurationBoundsNs = [] {
  std::array<std::int64_t, kDurationBounds.size()> ns{};
  for (std::size_t i = 0; i < ns.size(); ++i) {
    ns[i] = static_cast<std::int64_t>(kDurationBounds[i] * 1e9 + 0.5);
  }
  return ns;
}();

// Integer bounds, so the table is exact and constexpr: even i -> 100 us << i/2,
// odd i -> 141.421 us (100 us * sqrt 2) << i/2.
constexpr std::array<std::int64_t, kWindowBuckets - 1> kWindowBoundsNs = [] {
  std::array<std::int64_t, kWindowBuckets - 1> ns{};
  for (std::size_t i = 0; i < ns.size(); ++i) {
    ns[i] = (i % 2 == 0 ? std::int64_t{100'000} : std::int64_t{141'421}) << (i / 2);
  }
  return ns;
}();

template <std::size_t N>
std::size_t first_bound_at_least(const std::array<std::int64_t, N>& bounds, std::int64_t ns) {
  return static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), ns) -
                                  bounds.begin());
}

}  // namespace

std::size_t duration_bucket(std::chrono::nanoseconds d) noexcept {
  return first_bound_at_least(kDurationBoundsNs, d.count());
}

std::size_t window_bucket(std::chrono::nanoseconds d) noexcept {
  return first_bound_at_least(kWindowBoundsNs, d.count());
}

double window_bucket_upper_seconds(std::size_t i) noexcept {
  return static_cast<double>(kWindowBoundsNs[i]) / 1e9;
}

double estimate_quantile(std::span<const std::uint64_t, kWindowBuckets> counts, double q) noexcept {
  std::uint64_t total = 0;
  for (std::uint64_t c : counts) total += c;
  if (total == 0) return 0.0;
  const double rank = q * static_cast<double>(total);
  std::uint64_t below = 0;
  for (std::size_t i = 0; i < kWindowBuckets; ++i) {
    if (counts[i] == 0 || static_cast<double>(below + counts[i]) < rank) {
      below += counts[i];
      continue;
    }
    if (i == kWindowBuckets - 1) return window_bucket_upper_seconds(i - 1);
    const double lower = i == 0 ? 0.0 : window_bucket_upper_seconds(i - 1);
    const double upper = window_bucket_upper_seconds(i);
    const double inside = (rank - static_cast<double>(below)) / static_cast<double>(counts[i]);
    return lower + (upper - lower) * inside;
  }
  return window_bucket_upper_seconds(kWindowBuckets - 2);
}

}  // namespace ficus::proxy::metrics
