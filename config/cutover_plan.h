// CutoverPlan: a route's "cutover" object, tying its schema migrations to its traffic ramp.
//
// The plan says which migrations must be applied before any traffic goes to "new" (expand), how
// the share of "new" rises (steps, each held for step_interval and judged by the gates on the
// old-vs-new comparison), what happens when a gate fails, how long the route must have been at
// 100 % before the old schema may go (soak_before_contract), and which migrations remove it
// (contract). The proxy's cutover engine runs the ramp; `ficus migrate` reads the plan to refuse
// a contract migration too early or an expand rollback while new still gets traffic.
//
//   "cutover": {"database": "postgres://localhost/app", "expand": ["20261124120000_add_status"],
//               "steps": [1, 5, 25, 50, 100], "step_interval_s": 600,
//               "gates": {"min_requests": 500, "max_error_rate_delta": 0.01, "max_p99_ratio": 1.3},
//               "on_failure": "rollback", "soak_before_contract_s": 86400,
//               "contract": ["20261125090000_drop_old_status"]}
//
// Parsed and validated with the rest of the config (route_schema.cpp); a RouteConfig carries it
// as `std::optional<CutoverPlan> cutover`. A plan requires the route to have "new" and "flag".
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ficus::config {

// "gates": judged on each step's interval; all must pass to move to the next step.
struct CutoverGates {
  // "min_requests": per target (old and new each) in the interval; fewer = insufficient data.
  std::uint64_t min_requests = 500;
  // "max_error_rate_delta": new error rate - old, as a fraction (0.01 = one percentage point).
  double max_error_rate_delta = 0.01;
  // "max_p99_ratio": new p99 / old p99.
  double max_p99_ratio = 1.3;
  bool operator==(const CutoverGates&) const = default;
};

struct CutoverPlan {
  std::string database;  // "database": URL (postgres://, sqlite:PATH resolved vs config dir)
  std::vector<std::string> expand;  // "expand": migration ids "<version>_<name>" (file stem)
  std::vector<double> steps;  // "steps": percent of new, strictly increasing, in (0,100], last 100
  std::chrono::seconds step_interval{600};  // "step_interval_s" (> 0)
  CutoverGates gates;                       // "gates"
  enum class OnFailure { rollback, pause } on_failure = OnFailure::rollback;  // "on_failure"
  std::vector<double> rollback_steps;  // "rollback_steps": e.g. [25, 5, 0], strictly decreasing,
                                       // ends 0; empty = straight to 0
  unsigned max_insufficient_intervals = 3;           // "max_insufficient_intervals": then pause
  std::chrono::seconds soak_before_contract{86400};  // "soak_before_contract_s" (>= 0)
  std::vector<std::string> contract;                 // "contract": migration ids
  std::string migrations_dir = "migrations";         // "migrations_dir": resolved vs config dir
};

// "rollback" | "pause".
std::string_view to_string(CutoverPlan::OnFailure on_failure);

}  // namespace ficus::config
