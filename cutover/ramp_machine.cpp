#include "cutover/ramp_machine.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ficus::cutover {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The share's resolution: flag weights are out of 1,000,000 (0.0001 %).
constexpr double kShareEpsilon = 0.00005;

std::string with_reason(std::string text, const std::string& reason) {
  if (!reason.empty()) text += ": " + reason;
  return text;
}

}  // namespace

std::string percent_text(double percent) {
  return fmt::format("{:g}", percent);
}

bool same_share(double a, double b) {
  return std::fabs(a - b) < kShareEpsilon;
}

RampMachine::RampMachine(std::string route, config::CutoverPlan plan, RampEnvironment& environment,
                         RampProgress progress, Clock::time_point now)
    : route_(std::move(route)),
      plan_(std::move(plan)),
      env_(environment),
      progress_(std::move(progress)),
      last_tick_(now) {
  replace_plan(plan_);
}

void RampMachine::replace_plan(config::CutoverPlan plan) {
  plan_ = std::move(plan);
  if (!plan_.steps.empty() && progress_.step_index >= plan_.steps.size()) {
    progress_.step_index = plan_.steps.size() - 1;
  }
}

std::string RampMachine::step_text(std::size_t index) const {
  if (index >= plan_.steps.size()) return fmt::format("step {}", index + 1);
  return fmt::format("step {} of {} ({}%)", index + 1, plan_.steps.size(),
                     percent_text(plan_.steps[index]));
}

void RampMachine::account(Clock::time_point now) {
  const auto elapsed = std::max(milliseconds(0), duration_cast<milliseconds>(now - last_tick_));
  last_tick_ = now;
  const bool holding = progress_.state == RampState::progressing ||
                       progress_.state == RampState::paused ||
                       (progress_.state == RampState::failed && progress_.rolling_back);
  if (!holding) return;
  progress_.time_in_step += elapsed;
  progress_.time_in_interval += elapsed;
}

void RampMachine::emit(std::string actor, std::string action, RampState from, double share_before,
                       std::string reason) {
  env_.record({.actor = std::move(actor),
               .action = std::move(action),
               .from = from,
               .to = progress_.state,
               .share_before = share_before,
               .share_after = env_.share_percent(),
               .step_index = progress_.step_index,
               .reason = std::move(reason)});
}

Outcome RampMachine::move_to(RampProgress next, const ShareChange& change) {
  const RampProgress previous = progress_;
  next.share_percent = change.percent;
  next.applying = true;
  progress_ = next;
  env_.save(progress_);
  Outcome outcome = env_.set_share(change);
  if (!outcome.ok()) {
    progress_ = previous;
    env_.save(progress_);
    return outcome;
  }
  progress_.applying = false;
  env_.save(progress_);
  return outcome;
}

double RampMachine::rollback_target(double share) const {
  for (double step : plan_.rollback_steps) {
    if (step < share - kShareEpsilon) return step;
  }
  return 0;
}

void RampMachine::recover(Clock::time_point now) {
  last_tick_ = now;
  if (!progress_.applying) return;
  RampProgress next = progress_;
  const Outcome outcome =
      move_to(next, {.percent = progress_.share_percent,
                     .actor = std::string(kEngineActor),
                     .reason = fmt::format("cutover: {} was decided before a restart; applying it",
                                           step_text(progress_.step_index))});
  if (!outcome.ok()) {
    progress_.applying = false;
    pause_by_engine(fmt::format("after a restart, setting {}% again was refused: {}",
                                percent_text(progress_.share_percent), outcome.error));
  }
}

Outcome RampMachine::start(const Command& command, Clock::time_point now) {
  account(now);
  if (plan_.steps.empty()) return refuse("the plan has no steps");
  if (progress_.state == RampState::progressing || progress_.state == RampState::paused) {
    return refuse(fmt::format(
        "route \"{}\": the cutover is already {} at {}; use pause, resume, promote or abort",
        route_, to_string(progress_.state), step_text(progress_.step_index)));
  }
  const RampState from = progress_.state;
  const double share_before = env_.share_percent();
  RampProgress next;
  next.state = plan_.steps.size() == 1 ? RampState::complete : RampState::progressing;
  const std::string reason = with_reason(
      fmt::format("cutover started by {}: {}", command.actor, step_text(0)), command.reason);
  Outcome outcome = move_to(next, {.percent = plan_.steps[0],
                                   .actor = command.actor,
                                   .reason = reason,
                                   .force = command.force});
  if (!outcome.ok()) return outcome;
  emit(command.actor, "cutover-start", from, share_before, reason);
  return outcome;
}

Outcome RampMachine::pause(const Command& command, Clock::time_point now) {
  account(now);
  if (progress_.state != RampState::progressing) {
    if (progress_.state == RampState::paused) {
      return refuse(fmt::format("route \"{}\": already paused ({})", route_, progress_.reason));
    }
    return refuse(fmt::format("route \"{}\": the cutover is {}, not progressing; nothing to pause",
                              route_, to_string(progress_.state)));
  }
  const double share = env_.share_percent();
  progress_.state = RampState::paused;
  progress_.reason = with_reason(fmt::format("paused by {}", command.actor), command.reason);
  env_.save(progress_);
  emit(command.actor, "cutover-pause", RampState::progressing, share, progress_.reason);
  return {};
}

Outcome RampMachine::resume(const Command& command, Clock::time_point now) {
  account(now);
  if (progress_.state != RampState::paused) {
    return refuse(fmt::format(
        "route \"{}\": the cutover is {}, not paused; {}", route_, to_string(progress_.state),
        progress_.state == RampState::progressing ? "it is running already"
                                                  : "use start to begin it again"));
  }
  const double share_before = env_.share_percent();
  RampProgress next = progress_;
  next.state = RampState::progressing;
  next.reason.clear();
  next.time_in_interval = milliseconds(0);  // a fresh, whole interval is judged
  next.insufficient_intervals = 0;
  const std::string reason = with_reason(
      fmt::format("resumed by {} at {}", command.actor, step_text(progress_.step_index)),
      command.reason);
  Outcome outcome = move_to(next, {.percent = plan_.steps[progress_.step_index],
                                   .actor = command.actor,
                                   .reason = reason,
                                   .force = command.force});
  if (!outcome.ok()) return outcome;
  emit(command.actor, "cutover-resume", RampState::paused, share_before, reason);
  return outcome;
}

Outcome RampMachine::promote(const Command& command, Clock::time_point now) {
  account(now);
  if (progress_.state != RampState::progressing && progress_.state != RampState::paused) {
    return refuse(
        fmt::format("route \"{}\": the cutover is {}; only a progressing or paused "
                    "cutover can be promoted{}",
                    route_, to_string(progress_.state),
                    progress_.state == RampState::complete ? "" : " (start it first)"));
  }
  const std::size_t last = plan_.steps.size() - 1;
  const std::size_t index = command.full ? last : std::min(progress_.step_index + 1, last);
  const RampState from = progress_.state;
  const double share_before = env_.share_percent();
  RampProgress next = progress_;
  next.step_index = index;
  next.state = index == last ? RampState::complete : RampState::progressing;
  next.reason.clear();
  next.time_in_step = milliseconds(0);
  next.time_in_interval = milliseconds(0);
  next.insufficient_intervals = 0;
  const std::string reason = with_reason(
      fmt::format("promoted by {} to {}", command.actor, step_text(index)), command.reason);
  Outcome outcome = move_to(next, {.percent = plan_.steps[index],
                                   .actor = command.actor,
                                   .reason = reason,
                                   .force = command.force});
  if (!outcome.ok()) return outcome;
  emit(command.actor, "cutover-promote", from, share_before, reason);
  return outcome;
}

Outcome RampMachine::abort(const Command& command, Clock::time_point now) {
  account(now);
  if (progress_.state == RampState::pending) {
    return refuse(
        fmt::format("route \"{}\": the cutover has not started; nothing to abort", route_));
  }
  const double share_before = env_.share_percent();
  if (progress_.state == RampState::failed && !progress_.rolling_back && share_before == 0) {
    return refuse(
        fmt::format("route \"{}\": the cutover has already failed and all traffic goes "
                    "to old ({})",
                    route_, progress_.reason));
  }
  const RampState from = progress_.state;
  RampProgress next = progress_;
  next.state = RampState::failed;
  next.rolling_back = false;
  next.reason = with_reason(fmt::format("aborted by {}", command.actor), command.reason);
  Outcome outcome = move_to(
      next, {.percent = 0, .actor = command.actor, .reason = next.reason, .force = command.force});
  if (!outcome.ok()) return outcome;
  emit(command.actor, "cutover-abort", from, share_before, progress_.reason);
  return outcome;
}

void RampMachine::pause_by_engine(std::string reason, const char* action) {
  const RampState from = progress_.state;
  const double share = env_.share_percent();
  progress_.state = RampState::paused;
  progress_.reason = std::move(reason);
  env_.save(progress_);
  emit(std::string(kEngineActor), action, from, share, progress_.reason);
}

void RampMachine::tick(Clock::time_point now) {
  account(now);
  switch (progress_.state) {
    case RampState::progressing: {
      const double share = env_.share_percent();
      const double planned = plan_.steps[progress_.step_index];
      if (!same_share(share, planned)) {
        pause_by_engine(fmt::format(
            "the share was changed outside the plan: {}% now, {} is {}%; `ficus cutover resume "
            "{}` sets {}% again and goes on, `ficus cutover abort {}` ends the plan",
            percent_text(share), step_text(progress_.step_index), percent_text(planned), route_,
            percent_text(planned), route_));
        return;
      }
      judge();
      return;
    }
    case RampState::paused:
      // With nothing going to new there is nothing to judge or roll back.
      if (env_.share_percent() > 0) {
        judge();
      } else if (progress_.time_in_interval >= plan_.step_interval) {
        progress_.time_in_interval = milliseconds(0);
      }
      return;
    case RampState::failed:
      if (progress_.rolling_back && progress_.time_in_interval >= plan_.step_interval) step_down();
      return;
    case RampState::pending:
    case RampState::complete:
      return;
  }
}

void RampMachine::judge() {
  const bool due = progress_.time_in_interval >= plan_.step_interval;
  if (!due && progress_.time_in_interval < seconds(1)) return;
  // Before the interval ends only a breach acts, judged on the time so far.
  const seconds window =
      due ? plan_.step_interval : std::chrono::ceil<seconds>(progress_.time_in_interval);
  GateResult gates = judge_gates(env_.compare(window), plan_.gates);
  if (!due && gates.verdict != GateVerdict::fail) return;
  progress_.last_gates = gates;
  progress_.time_in_interval = milliseconds(0);
  switch (gates.verdict) {
    case GateVerdict::fail:
      on_breach(gates);
      return;
    case GateVerdict::insufficient_data:
      if (progress_.state != RampState::progressing) break;
      ++progress_.insufficient_intervals;
      if (progress_.insufficient_intervals >= plan_.max_insufficient_intervals) {
        pause_by_engine(
            fmt::format("too little traffic to judge {}: {} intervals of {} s in a row with fewer "
                        "than {} requests on old or new (last: old {}, new {}); the share stays; "
                        "`ficus cutover resume {}` tries again, `ficus cutover promote {}` moves "
                        "on by hand",
                        step_text(progress_.step_index), progress_.insufficient_intervals,
                        plan_.step_interval.count(), plan_.gates.min_requests,
                        gates.old_target.requests, gates.new_target.requests, route_, route_));
        return;
      }
      break;
    case GateVerdict::pass:
      if (progress_.state != RampState::progressing) break;
      advance(gates);
      return;
  }
  env_.save(progress_);
}

void RampMachine::advance(const GateResult& gates) {
  const std::size_t index = progress_.step_index + 1;
  if (index >= plan_.steps.size()) {
    progress_.state = RampState::complete;
    env_.save(progress_);
    return;
  }
  RampProgress next = progress_;
  next.step_index = index;
  next.state = index + 1 == plan_.steps.size() ? RampState::complete : RampState::progressing;
  next.time_in_step = milliseconds(0);
  next.time_in_interval = milliseconds(0);
  next.insufficient_intervals = 0;
  next.reason.clear();
  const double share_before = env_.share_percent();
  const Outcome outcome = move_to(
      next, {.percent = plan_.steps[index],
             .actor = std::string(kEngineActor),
             .reason = fmt::format("cutover: gates passed at {}, {}; moving to {}",
                                   step_text(index - 1), gates.summary(), step_text(index))});
  if (!outcome.ok()) {
    pause_by_engine(fmt::format("the gates passed at {}, but moving to {} was refused: {}",
                                step_text(index - 1), step_text(index), outcome.error));
    return;
  }
  if (progress_.state == RampState::complete) {
    emit(std::string(kEngineActor), "cutover-complete", RampState::progressing, share_before,
         fmt::format("cutover complete: all traffic goes to new ({})", step_text(index)));
  }
}

void RampMachine::on_breach(const GateResult& gates) {
  const double share = env_.share_percent();
  const std::string what =
      fmt::format("gates failed at {}: {}", step_text(progress_.step_index), gates.summary());
  if (plan_.on_failure == config::CutoverPlan::OnFailure::pause) {
    if (progress_.state == RampState::paused) {
      env_.save(progress_);  // already held; on_failure "pause" has nothing more to do
      return;
    }
    pause_by_engine(fmt::format("{}; on_failure is \"pause\", so {}% stays on new: `ficus cutover "
                                "resume {}` or `ficus cutover abort {}`",
                                what, percent_text(share), route_, route_),
                    "cutover-fail");
    return;
  }
  const RampState from = progress_.state;
  const double target = rollback_target(share);
  RampProgress next = progress_;
  next.state = RampState::failed;
  next.rolling_back = target > 0;
  next.time_in_interval = milliseconds(0);
  next.insufficient_intervals = 0;
  next.reason = fmt::format("{}; {} {}%", what, target > 0 ? "rolling back to" : "rolled back to",
                            percent_text(target));
  const Outcome outcome =
      move_to(next, {.percent = target, .actor = std::string(kEngineActor), .reason = next.reason});
  if (!outcome.ok()) {
    pause_by_engine(fmt::format("{}; rolling back to {}% was refused: {}", what,
                                percent_text(target), outcome.error),
                    "cutover-fail");
    return;
  }
  emit(std::string(kEngineActor), "cutover-fail", from, share, progress_.reason);
}

void RampMachine::step_down() {
  const double share = env_.share_percent();
  const double target = rollback_target(share);
  RampProgress next = progress_;
  next.rolling_back = target > 0;
  next.time_in_interval = milliseconds(0);
  next.reason = next.reason.substr(0, next.reason.rfind("; rolling back to")) +
                fmt::format("; {} {}%", target > 0 ? "rolling back to" : "rolled back to",
                            percent_text(target));
  const Outcome outcome =
      move_to(next, {.percent = target,
                     .actor = std::string(kEngineActor),
                     .reason = fmt::format("cutover rollback: {}% -> {}% (one rollback step per "
                                           "{} s interval)",
                                           percent_text(share), percent_text(target),
                                           plan_.step_interval.count())});
  if (!outcome.ok()) {
    progress_.rolling_back = false;
    progress_.reason +=
        fmt::format("; the rollback stopped at {}%: {}", percent_text(share), outcome.error);
    env_.save(progress_);
  }
}

}  // namespace ficus::cutover
