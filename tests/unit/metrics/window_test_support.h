// Builders for ComparisonWindow tests: a fixed clock and requests of a chosen latency and outcome.
#pragma once

#include <chrono>
#include <string>

#include "proxy/metrics/comparison_window.h"

namespace ficus::proxy::metrics::testing {

// A fixed "now"; tests move from it in whole seconds.
inline const auto kNow = std::chrono::steady_clock::time_point{} + std::chrono::hours(10);

inline RequestContext finished(std::string route, Target target, unsigned status,
                               std::chrono::nanoseconds took,
                               std::chrono::steady_clock::time_point end,
                               FailureKind failure = FailureKind::none) {
  RequestContext ctx;
  ctx.start = end - took;
  ctx.method = "GET";
  ctx.route = std::move(route);
  ctx.target = target;
  ctx.status = status;
  ctx.failure = failure;
  return ctx;
}

// Records `n` requests ending at `end`, `errors` of them with status 500.
inline void record_many(ComparisonWindow& window, std::size_t worker, const std::string& route,
                        Target target, int n, int errors, std::chrono::nanoseconds took,
                        std::chrono::steady_clock::time_point end) {
  for (int i = 0; i < n; ++i) {
    window.record(worker, finished(route, target, i < errors ? 500 : 200, took, end), end);
  }
}

}  // namespace ficus::proxy::metrics::testing
