// GateCheck: a cutover plan's gates judged on one old-vs-new comparison.
//
// The engine compares old and new over each step's interval (proxy/metrics/comparison.h) and asks
// judge_gates() whether the step may be left. Three gates, each reported with its limit and the
// value seen, so the status and the audit log say exactly why a step passed or failed:
//   min_requests          old and new each served at least this many requests; otherwise the
//                         verdict is insufficient-data, whatever the other gates say (a ramp never
//                         moves on missing data)
//   max_error_rate_delta  new's error rate minus old's (fractions)
//   max_p99_ratio         new's p99 / old's p99. Like /admin/compare, new must also be at least
//                         kMinP99Delta slower before the ratio counts: on loopback both p99s are
//                         fractions of a millisecond and their ratio is noise.
//
//   GateResult r = judge_gates(window.compare("orders", 600s, rule, now), plan.gates);
//   if (r.verdict == GateVerdict::fail) spdlog::warn("{}", r.summary());
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/cutover_plan.h"
#include "proxy/metrics/comparison.h"

namespace ficus::cutover {

namespace metrics = proxy::metrics;

// Latency differences below this never fail the p99 gate (the comparison's own default floor).
inline constexpr double kMinP99DeltaSeconds = 0.005;

enum class GateVerdict { pass, fail, insufficient_data };

// "pass", "fail", "insufficient-data".
std::string_view to_string(GateVerdict verdict);

struct GateCheck {
  std::string gate;             // "min_requests", "max_error_rate_delta", "max_p99_ratio"
  double limit = 0;             // from the plan
  std::optional<double> value;  // what was seen; nullopt when it cannot be computed (no requests)
  bool pass = false;
};

struct GateResult {
  GateVerdict verdict = GateVerdict::insufficient_data;
  std::chrono::seconds window{0};
  metrics::TargetStats old_target;
  metrics::TargetStats new_target;
  std::vector<GateCheck> checks;  // always the three gates, in the order above

  // One line for logs and audit reasons, e.g. "fail over 10 s: error rate delta 0.25 > 0.01
  // (old 0.0% of 812, new 25.0% of 790)".
  std::string summary() const;
  // {"verdict", "window_s", "old": {...}, "new": {...}, "checks":
  // [{"gate","limit","value","pass"}]}
  nlohmann::json to_json() const;
  // Reads what to_json() wrote (the persisted state); nullopt when `json` is not such an object.
  static std::optional<GateResult> from_json(const nlohmann::json& json);
};

// The verdict on `comparison` (its raw numbers; its own verdict and rule are not used).
GateResult judge_gates(const metrics::Comparison& comparison, const config::CutoverGates& gates);

// The comparison rule that matches `gates` (for ComparisonWindow::compare).
metrics::VerdictRule verdict_rule_for(const config::CutoverGates& gates);

}  // namespace ficus::cutover
