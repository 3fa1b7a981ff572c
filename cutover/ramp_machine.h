// RampMachine: one route's cutover ramp as a plain state machine. It decides; a RampEnvironment
// acts (reads and sets the share, compares old and new, audits, saves). No sockets, no timers: the
// proxy's CutoverService ticks it once a second on the control thread, and unit tests drive it
// with their own clock and comparison numbers.
//
// What it does (see ramp_progress.h for the states):
//   start    pending|failed|complete -> progressing at step 0 (share = steps[0])
//   tick     progressing: after each step_interval the gates judge that interval. pass -> next
//            step (the last one, 100 %, is complete); insufficient data -> hold another interval,
//            and after max_insufficient_intervals of them pause; fail -> on_failure. A breach is
//            also acted on before the interval ends once both targets have min_requests.
//            paused: judged the same way; only a breach acts (rollback when on_failure is
//            "rollback"). failed while rolling back: one rollback step per interval.
//   pause, resume, promote [full], abort: by hand, from the admin API.
// A share the plan did not set (a hand split or kill while progressing) pauses the plan.
//
// Every share change goes through RampEnvironment::set_share, which may refuse it (expand
// migration missing, rollback after contract): a refused command changes nothing and says why; a
// refused automatic step pauses the plan with the refusal as its reason. The progress is saved
// before the share changes (write-ahead, `applying`) and after, so recover() after a crash makes
// the change the engine had decided on.
//
//   RampMachine ramp("orders", plan, environment, saved_progress, clock.now());
//   ramp.recover(clock.now());
//   ramp.start({.actor = "alice", .reason = "go"}, clock.now());
//   ramp.tick(clock.now());   // every second
#pragma once

#include <chrono>
#include <string>

#include "config/cutover_plan.h"
#include "cutover/gate_check.h"
#include "cutover/ramp_progress.h"
#include "proxy/metrics/comparison.h"

namespace ficus::cutover {

// The actor the engine's own actions are recorded under.
inline constexpr std::string_view kEngineActor = "cutover";

struct ShareChange {
  double percent = 0;  // share of new, 0..100
  std::string actor;
  std::string reason;
  bool force = false;  // lowering past an applied contract migration
};

struct Outcome {
  unsigned status = 200;  // HTTP status for the admin API: 200, or 409 (refused), 500
  std::string error;      // a sentence saying why and what to do; empty when ok
  bool ok() const { return error.empty(); }
};

// One entry for the audit log.
struct RampEvent {
  std::string actor;   // who asked, or "cutover" for the engine's own decisions
  std::string action;  // "cutover-start", "-pause", "-resume", "-promote", "-abort", "-fail",
                       // "-complete"
  RampState from = RampState::pending;
  RampState to = RampState::pending;
  double share_before = 0;  // percent
  double share_after = 0;
  std::size_t step_index = 0;
  std::string reason;
};

class RampEnvironment {
 public:
  virtual ~RampEnvironment() = default;
  // The route's share of new now, in percent; 0 while the route is killed.
  virtual double share_percent() = 0;
  // Sets the share the way the admin API does (guards, flag file, reload, audit).
  virtual Outcome set_share(const ShareChange& change) = 0;
  // Old vs new over the last `window` (1 s or more).
  virtual metrics::Comparison compare(std::chrono::seconds window) = 0;
  virtual void record(const RampEvent& event) = 0;
  // Makes `progress` durable; called on every change of it.
  virtual void save(const RampProgress& progress) = 0;
};

struct Command {
  std::string actor{};
  std::string reason{};
  bool force = false;  // start/abort: lower the share even after a contract migration
  bool full = false;   // promote: straight to the last step
};

class RampMachine {
 public:
  using Clock = std::chrono::steady_clock;

  RampMachine(std::string route, config::CutoverPlan plan, RampEnvironment& environment,
              RampProgress progress, Clock::time_point now);

  const std::string& route() const { return route_; }
  const config::CutoverPlan& plan() const { return plan_; }
  const RampProgress& progress() const { return progress_; }

  // A reloaded config's plan. The step index is kept (clamped to the new steps).
  void replace_plan(config::CutoverPlan plan);

  // After a restart: repeats a share change that was saved as `applying` but may not have been
  // made.
  void recover(Clock::time_point now);

  Outcome start(const Command& command, Clock::time_point now);
  Outcome pause(const Command& command, Clock::time_point now);
  Outcome resume(const Command& command, Clock::time_point now);
  Outcome promote(const Command& command, Clock::time_point now);
  Outcome abort(const Command& command, Clock::time_point now);

  // Counts time and acts when something is due; call about once a second.
  void tick(Clock::time_point now);

 private:
  void account(Clock::time_point now);
  void judge();
  void on_breach(const GateResult& gates);
  void advance(const GateResult& gates);
  void step_down();
  void pause_by_engine(std::string reason, const char* action = "cutover-pause");
  // Saves `next` (marked applying), sets the share, then saves again; on refusal the previous
  // progress is restored and saved.
  Outcome move_to(RampProgress next, const ShareChange& change);
  void emit(std::string actor, std::string action, RampState from, double share_before,
            std::string reason);
  double rollback_target(double share) const;
  std::string step_text(std::size_t index) const;  // "step 2 of 5 (5%)"
  Outcome refuse(std::string message) const { return {409, std::move(message)}; }

  std::string route_;
  config::CutoverPlan plan_;
  RampEnvironment& env_;
  RampProgress progress_;
  Clock::time_point last_tick_;
};

// Percent as the share resolution allows: 12.5 -> "12.5", 1 -> "1".
std::string percent_text(double percent);
// Two shares are the same when they round to the same flag weight (0.0001 %).
bool same_share(double a, double b);

}  // namespace ficus::cutover
