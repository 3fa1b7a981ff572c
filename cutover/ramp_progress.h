// RampProgress: where one route's cutover ramp stands: its state, the step it is on, how long it
// has held there, why it stopped, and the last gate verdict. It is everything the engine needs to
// carry on after a restart, so the state file (state_file.h) stores exactly this per route.
//
// States:
//   pending      the plan exists; nothing has been started (the share is whatever the flag says)
//   progressing  holding a step; at the end of each interval the gates decide
//   paused       holding a step, not moving on by itself (by hand, too little traffic, or a gate
//                failure with on_failure "pause"); a breach still rolls back
//   failed       a gate failed (rolling back, or rolled back) or the plan was aborted
//   complete     the last step (100 %) is reached; the engine does nothing more
//
//   RampProgress p = RampProgress::from_json(saved).value_or(RampProgress{});
//   p.state = RampState::paused;
//   nlohmann::json j = p.to_json();
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cutover/gate_check.h"

namespace ficus::cutover {

enum class RampState { pending, progressing, paused, failed, complete };

inline constexpr RampState kAllRampStates[] = {RampState::pending, RampState::progressing,
                                               RampState::paused, RampState::failed,
                                               RampState::complete};

// "pending", "progressing", "paused", "failed", "complete".
std::string_view to_string(RampState state);
std::optional<RampState> parse_ramp_state(std::string_view text);

struct RampProgress {
  RampState state = RampState::pending;
  std::size_t step_index = 0;  // into plan.steps
  // The share of new, in percent, the plan last set (or is setting, see `applying`).
  double share_percent = 0;
  // Write-ahead marker: saved true just before the plan changes the share and false right after,
  // so a crash in between is noticed on restart and the change is made again.
  bool applying = false;
  // Time held in this step while the proxy ran (paused time included). It survives restarts; the
  // time the proxy was down does not count.
  std::chrono::milliseconds time_in_step{0};
  // Time since the gates were last judged (or since the step began).
  std::chrono::milliseconds time_in_interval{0};
  unsigned insufficient_intervals = 0;  // judgements in a row with too little traffic
  bool rolling_back = false;            // failed, still stepping down plan.rollback_steps
  std::string reason;                   // why paused or failed; empty otherwise
  std::optional<GateResult> last_gates;

  nlohmann::json to_json() const;
  // Reads what to_json() wrote; nullopt with `error` set when it is not such an object.
  static std::optional<RampProgress> from_json(const nlohmann::json& json, std::string& error);
};

}  // namespace ficus::cutover
