// Comparison: old vs new for one route over one window, the verdict, and the rule behind it.
//
// ComparisonWindow produces the numbers; judge() turns them into a verdict. The raw numbers stay
// in the struct so the cutover gates (max_error_rate_delta, max_p99_ratio, min_requests) can read
// them directly, and to_json() is what GET /admin/compare returns.
//
//   Comparison c = window.compare("orders", std::chrono::seconds(300), rule, now);
//   if (c.verdict == Verdict::new_worse) ...;
//   double delta = c.error_rate_delta();  // new - old, 0.03 = 3 points
//
// The rule, checked in this order:
//   1. insufficient-data: old or new has fewer than min_requests requests in the window. A route
//      with little traffic is never called healthy.
//   2. new-worse: new's error rate exceeds old's by more than max_error_rate_delta, or new's p99
//      exceeds old's p99 * max_p99_ratio and is also at least min_p99_delta_s slower.
//   3. new-better: new's error rate is below old's by more than max_error_rate_delta, or new's p99
//      * max_p99_ratio is below old's p99 and at least min_p99_delta_s faster.
//   4. same: anything else.
// An error is a response with status >= 500 or an upstream failure (connect, timeout, reset,
// protocol), counted once per request.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ficus::proxy::metrics {

struct VerdictRule {
  std::uint64_t min_requests = 100;    // per target, in the window
  double max_error_rate_delta = 0.01;  // 1 percentage point, as in the Prometheus alert
  double max_p99_ratio = 1.2;          // new p99 more than 20 % above old's is worse
  double min_p99_delta_s = 0.005;      // ...and at least 5 ms, so 1.0 vs 1.3 ms is "same"
};

enum class Verdict { insufficient_data, new_worse, same, new_better };

// "insufficient-data", "new-worse", "same", "new-better".
std::string_view to_string(Verdict verdict);

// One target over the window.
struct TargetStats {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  double rate_per_s = 0;  // requests / window
  double error_rate = 0;  // errors / requests, 0..1 (0 without requests)
  double p50_s = 0;       // latency quantiles in seconds (0 without requests)
  double p95_s = 0;
  double p99_s = 0;
};

struct Comparison {
  std::string route;
  std::chrono::seconds window{0};
  VerdictRule rule;
  TargetStats old_target;
  TargetStats new_target;
  Verdict verdict = Verdict::insufficient_data;
  std::string reason;  // one sentence: why this verdict

  double error_rate_delta() const { return new_target.error_rate - old_target.error_rate; }
  // new p99 / old p99; nullopt when old's p99 is 0 (no requests).
  std::optional<double> p99_ratio() const;
};

// Sets c.verdict and c.reason from the stats and c.rule.
void judge(Comparison& c);

// {"route","window_s","min_requests","old":{...},"new":{...},"delta":{...},"verdict","reason"};
// latencies in milliseconds, rates as fractions.
nlohmann::json to_json(const Comparison& c);

}  // namespace ficus::proxy::metrics
