// The ramp state machine, driven by a test clock and comparison numbers: every transition, holds on
// too little traffic, breaches (also while paused), the gradual rollback, refusals from the share
// guards, write-ahead saving and resuming after a restart with the time already spent.
#include "cutover/ramp_machine.h"

#include <functional>
#include <vector>

#include <gtest/gtest.h>

namespace ficus::cutover {
namespace {

using namespace std::chrono_literals;
using Clock = RampMachine::Clock;

// What the proxy gives the machine, in memory: a share, comparison numbers the test sets, and a
// log of everything the machine did.
class TestEnvironment : public RampEnvironment {
 public:
  double share = 0;
  bool killed = false;
  metrics::TargetStats old_stats;
  metrics::TargetStats new_stats;
  std::function<Outcome(const ShareChange&)> guard;  // refuses a change when it returns an error
  std::vector<ShareChange> changes;
  std::vector<RampEvent> events;
  std::vector<RampProgress> saves;
  std::vector<std::chrono::seconds> windows;
  bool saved_before_change = true;  // every set_share came after a write-ahead save

  double share_percent() override { return killed ? 0 : share; }
  Outcome set_share(const ShareChange& change) override {
    if (saves.empty() || !saves.back().applying ||
        !same_share(saves.back().share_percent, change.percent)) {
      saved_before_change = false;
    }
    if (guard) {
      Outcome refused = guard(change);
      if (!refused.ok()) return refused;
    }
    changes.push_back(change);
    share = change.percent;
    return {};
  }
  metrics::Comparison compare(std::chrono::seconds window) override {
    windows.push_back(window);
    metrics::Comparison c;
    c.route = "orders";
    c.window = window;
    c.old_target = old_stats;
    c.new_target = new_stats;
    return c;
  }
  void record(const RampEvent& event) override { events.push_back(event); }
  void save(const RampProgress& progress) override { saves.push_back(progress); }

  void traffic(std::uint64_t old_requests, double old_errors, std::uint64_t new_requests,
               double new_errors) {
    old_stats = {};
    new_stats = {};
    old_stats.requests = old_requests;
    old_stats.error_rate = old_errors;
    old_stats.p99_s = 0.020;
    new_stats.requests = new_requests;
    new_stats.error_rate = new_errors;
    new_stats.p99_s = 0.020;
  }
  void healthy() { traffic(1000, 0.0, 1000, 0.0); }
  void failing() { traffic(1000, 0.0, 1000, 0.5); }
  void quiet() { traffic(3, 0.0, 1, 0.0); }
  std::vector<std::string> actions() const {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(e.action);
    return out;
  }
};

config::CutoverPlan test_plan() {
  config::CutoverPlan plan;
  plan.database = "sqlite:/tmp/app.db";
  plan.steps = {1, 5, 25, 50, 100};
  plan.step_interval = 10s;
  plan.gates.min_requests = 100;
  plan.max_insufficient_intervals = 3;
  return plan;
}

class RampMachineTest : public ::testing::Test {
 protected:
  void make(config::CutoverPlan plan = test_plan(), RampProgress progress = {}) {
    plan_ = plan;
    ramp_ =
        std::make_unique<RampMachine>("orders", std::move(plan), env_, std::move(progress), now_);
  }
  // Moves the clock on in 1 s ticks, as the service does.
  void run_for(std::chrono::seconds duration) {
    for (auto s = 0s; s < duration; s += 1s) {
      now_ += 1s;
      ramp_->tick(now_);
    }
  }
  Command by(std::string actor, std::string reason = "") {
    return {.actor = std::move(actor), .reason = std::move(reason)};
  }
  RampState state() const { return ramp_->progress().state; }
  std::size_t step() const { return ramp_->progress().step_index; }
  void start() { ASSERT_TRUE(ramp_->start(by("alice", "go"), now_).ok()); }

  TestEnvironment env_;
  Clock::time_point now_ = Clock::time_point(1000h);
  config::CutoverPlan plan_;
  std::unique_ptr<RampMachine> ramp_;
};

TEST_F(RampMachineTest, StartsPendingAndStartSetsTheFirstStep) {
  make();
  EXPECT_EQ(state(), RampState::pending);
  run_for(30s);
  EXPECT_TRUE(env_.changes.empty()) << "a pending plan never touches the share";
  start();
  EXPECT_EQ(state(), RampState::progressing);
  EXPECT_EQ(step(), 0U);
  EXPECT_DOUBLE_EQ(env_.share, 1);
  ASSERT_EQ(env_.changes.size(), 1U);
  EXPECT_EQ(env_.changes[0].actor, "alice");
  EXPECT_NE(env_.changes[0].reason.find("go"), std::string::npos);
  EXPECT_EQ(env_.actions(), std::vector<std::string>{"cutover-start"});
  EXPECT_EQ(env_.events[0].actor, "alice");
  EXPECT_TRUE(env_.saved_before_change);
  EXPECT_FALSE(env_.saves.back().applying);
}

TEST_F(RampMachineTest, HoldsEachStepForTheIntervalAndPassesToTheNextOnHealthyGates) {
  make();
  start();
  env_.healthy();
  run_for(9s);
  EXPECT_EQ(step(), 0U) << "held until the interval is over";
  run_for(1s);
  EXPECT_EQ(step(), 1U);
  EXPECT_DOUBLE_EQ(env_.share, 5);
  EXPECT_EQ(env_.windows.back(), 10s) << "judged over the whole interval";
  EXPECT_EQ(env_.changes.back().actor, "cutover");
  EXPECT_NE(env_.changes.back().reason.find("gates passed"), std::string::npos);
  ASSERT_TRUE(ramp_->progress().last_gates.has_value());
  EXPECT_EQ(ramp_->progress().last_gates->verdict, GateVerdict::pass);
  EXPECT_EQ(ramp_->progress().time_in_step, 0ms);
}

TEST_F(RampMachineTest, AHealthyRampReachesCompleteAtOneHundredPercentAndThenStops) {
  make();
  start();
  env_.healthy();
  run_for(40s);
  EXPECT_EQ(state(), RampState::complete);
  EXPECT_EQ(step(), 4U);
  EXPECT_DOUBLE_EQ(env_.share, 100);
  EXPECT_EQ(env_.actions().back(), "cutover-complete");
  EXPECT_EQ(env_.events.back().actor, "cutover");
  const auto changes = env_.changes.size();
  env_.failing();
  run_for(60s);
  EXPECT_EQ(env_.changes.size(), changes) << "a complete plan is done";
  EXPECT_EQ(state(), RampState::complete);
}

TEST_F(RampMachineTest, TooLittleTrafficHoldsAndNeverPromotes) {
  make();
  start();
  env_.quiet();
  run_for(29s);
  EXPECT_EQ(state(), RampState::progressing);
  EXPECT_EQ(step(), 0U);
  EXPECT_EQ(ramp_->progress().insufficient_intervals, 2U);
  EXPECT_EQ(ramp_->progress().last_gates->verdict, GateVerdict::insufficient_data);
  EXPECT_EQ(env_.changes.size(), 1U) << "only the start changed the share";
  // Traffic comes back within the limit: the next interval judges normally.
  env_.healthy();
  run_for(1s);
  EXPECT_EQ(step(), 1U);
  EXPECT_EQ(ramp_->progress().insufficient_intervals, 0U);
}

TEST_F(RampMachineTest, TooLittleTrafficForMaxIntervalsPausesWithAReasonThatSaysWhy) {
  make();
  start();
  env_.quiet();
  run_for(30s);
  EXPECT_EQ(state(), RampState::paused);
  EXPECT_EQ(step(), 0U);
  const auto& reason = ramp_->progress().reason;
  EXPECT_NE(reason.find("too little traffic"), std::string::npos) << reason;
  EXPECT_NE(reason.find("3 intervals"), std::string::npos) << reason;
  EXPECT_NE(reason.find("fewer than 100 requests"), std::string::npos) << reason;
  EXPECT_NE(reason.find("old 3, new 1"), std::string::npos) << reason;
  EXPECT_EQ(env_.actions().back(), "cutover-pause");
  EXPECT_EQ(env_.events.back().actor, "cutover");
  // Paused, a healthy interval does not move it on by itself.
  env_.healthy();
  run_for(30s);
  EXPECT_EQ(state(), RampState::paused);
  EXPECT_EQ(step(), 0U);
}

TEST_F(RampMachineTest, ABreachRollsBackStraightToZeroBeforeTheIntervalEnds) {
  make();
  start();
  env_.healthy();
  run_for(20s);
  ASSERT_EQ(step(), 2U);
  env_.failing();
  run_for(1s);
  EXPECT_EQ(state(), RampState::failed);
  EXPECT_DOUBLE_EQ(env_.share, 0);
  EXPECT_FALSE(ramp_->progress().rolling_back);
  EXPECT_EQ(env_.windows.back(), 1s) << "judged on the time spent in the step so far";
  EXPECT_EQ(env_.actions().back(), "cutover-fail");
  EXPECT_EQ(env_.events.back().actor, "cutover");
  EXPECT_DOUBLE_EQ(env_.events.back().share_before, 25);
  EXPECT_NE(ramp_->progress().reason.find("gates failed at step 3 of 5 (25%)"), std::string::npos)
      << ramp_->progress().reason;
  EXPECT_NE(ramp_->progress().reason.find("rolled back to 0%"), std::string::npos);
  EXPECT_EQ(ramp_->progress().last_gates->verdict, GateVerdict::fail);
  EXPECT_EQ(env_.changes.back().actor, "cutover");
  EXPECT_FALSE(env_.changes.back().force);
}

TEST_F(RampMachineTest, ABreachWithTooFewRequestsOnNewIsNotActedOnEarly) {
  make();
  start();
  env_.traffic(1000, 0.0, 20, 1.0);  // every new request fails, but there are only 20
  run_for(9s);
  EXPECT_EQ(state(), RampState::progressing);
  EXPECT_DOUBLE_EQ(env_.share, 1);
}

TEST_F(RampMachineTest, RollbackStepsGoDownOnePerInterval) {
  auto plan = test_plan();
  plan.rollback_steps = {25, 5, 0};
  make(plan);
  start();
  env_.healthy();
  run_for(30s);
  ASSERT_EQ(step(), 3U);  // 50 %
  env_.failing();
  run_for(1s);
  EXPECT_EQ(state(), RampState::failed);
  EXPECT_TRUE(ramp_->progress().rolling_back);
  EXPECT_DOUBLE_EQ(env_.share, 25);
  run_for(9s);
  EXPECT_DOUBLE_EQ(env_.share, 25);
  run_for(1s);
  EXPECT_DOUBLE_EQ(env_.share, 5);
  run_for(10s);
  EXPECT_DOUBLE_EQ(env_.share, 0);
  EXPECT_FALSE(ramp_->progress().rolling_back);
  EXPECT_NE(ramp_->progress().reason.find("rolled back to 0%"), std::string::npos)
      << ramp_->progress().reason;
  const auto changes = env_.changes.size();
  run_for(30s);
  EXPECT_EQ(env_.changes.size(), changes);
  EXPECT_EQ(state(), RampState::failed);
}

TEST_F(RampMachineTest, RollbackStepsAtOrAboveTheCurrentShareAreSkipped) {
  auto plan = test_plan();
  plan.rollback_steps = {25, 5, 0};
  make(plan);
  start();
  env_.healthy();
  run_for(10s);
  ASSERT_DOUBLE_EQ(env_.share, 5);
  env_.failing();
  run_for(1s);
  EXPECT_DOUBLE_EQ(env_.share, 0) << "from 5 %, the next rollback step below is 0";
}

TEST_F(RampMachineTest, ABreachWhilePausedStillRollsBack) {
  make();
  start();
  env_.healthy();
  run_for(10s);
  ASSERT_TRUE(ramp_->pause(by("bob", "lunch"), now_).ok());
  EXPECT_EQ(state(), RampState::paused);
  EXPECT_EQ(ramp_->progress().reason, "paused by bob: lunch");
  run_for(30s);
  EXPECT_EQ(state(), RampState::paused) << "healthy gates do not move a paused plan";
  EXPECT_DOUBLE_EQ(env_.share, 5);
  env_.failing();
  run_for(1s);
  EXPECT_EQ(state(), RampState::failed);
  EXPECT_DOUBLE_EQ(env_.share, 0);
  EXPECT_EQ(env_.events.back().from, RampState::paused);
}

TEST_F(RampMachineTest, OnFailurePauseKeepsTheShareAndPauses) {
  auto plan = test_plan();
  plan.on_failure = config::CutoverPlan::OnFailure::pause;
  make(plan);
  start();
  env_.healthy();
  run_for(10s);
  env_.failing();
  run_for(10s);
  EXPECT_EQ(state(), RampState::paused);
  EXPECT_DOUBLE_EQ(env_.share, 5);
  EXPECT_EQ(env_.actions().back(), "cutover-fail");
  EXPECT_NE(ramp_->progress().reason.find("on_failure is \"pause\""), std::string::npos);
  const auto events = env_.events.size();
  run_for(30s);
  EXPECT_EQ(env_.events.size(), events) << "further breaches while paused change nothing";
  EXPECT_DOUBLE_EQ(env_.share, 5);
}

TEST_F(RampMachineTest, ResumeContinuesTheStepWithAFreshInterval) {
  make();
  start();
  env_.healthy();
  run_for(5s);
  ASSERT_TRUE(ramp_->pause(by("bob"), now_).ok());
  run_for(20s);
  EXPECT_EQ(step(), 0U);
  EXPECT_EQ(ramp_->progress().time_in_step, 25s) << "paused time is time in the step";
  ASSERT_TRUE(ramp_->resume(by("bob"), now_).ok());
  EXPECT_EQ(state(), RampState::progressing);
  EXPECT_TRUE(ramp_->progress().reason.empty());
  run_for(9s);
  EXPECT_EQ(step(), 0U);
  run_for(1s);
  EXPECT_EQ(step(), 1U);
  EXPECT_EQ(env_.actions(),
            (std::vector<std::string>{"cutover-start", "cutover-pause", "cutover-resume"}));
}

TEST_F(RampMachineTest, PromoteMovesOneStepOrStraightToFull) {
  make();
  start();
  ASSERT_TRUE(ramp_->promote(by("carol"), now_).ok());
  EXPECT_EQ(step(), 1U);
  EXPECT_DOUBLE_EQ(env_.share, 5);
  EXPECT_EQ(state(), RampState::progressing);
  ASSERT_TRUE(ramp_->pause(by("carol"), now_).ok());
  ASSERT_TRUE(ramp_->promote(by("carol"), now_).ok()) << "a paused plan can be promoted";
  EXPECT_EQ(step(), 2U);
  EXPECT_EQ(state(), RampState::progressing);
  Command full = by("carol", "confident");
  full.full = true;
  ASSERT_TRUE(ramp_->promote(full, now_).ok());
  EXPECT_EQ(state(), RampState::complete);
  EXPECT_DOUBLE_EQ(env_.share, 100);
  auto again = ramp_->promote(by("carol"), now_);
  EXPECT_EQ(again.status, 409U);
  EXPECT_NE(again.error.find("complete"), std::string::npos);
}

TEST_F(RampMachineTest, AbortSendsEverythingToOldAndFails) {
  make();
  start();
  ramp_->promote(by("carol"), now_);
  Command abort = by("dave", "bad idea");
  abort.force = true;
  ASSERT_TRUE(ramp_->abort(abort, now_).ok());
  EXPECT_EQ(state(), RampState::failed);
  EXPECT_DOUBLE_EQ(env_.share, 0);
  EXPECT_TRUE(env_.changes.back().force) << "force is passed on to the share guard";
  EXPECT_EQ(ramp_->progress().reason, "aborted by dave: bad idea");
  EXPECT_EQ(ramp_->abort(by("dave"), now_).status, 409U) << "nothing left to abort";
  // Start begins again from the first step.
  start();
  EXPECT_EQ(state(), RampState::progressing);
  EXPECT_EQ(step(), 0U);
  EXPECT_DOUBLE_EQ(env_.share, 1);
}

TEST_F(RampMachineTest, CommandsThatDoNotFitTheStateAreRefusedAndChangeNothing) {
  make();
  EXPECT_EQ(ramp_->pause(by("x"), now_).status, 409U);
  EXPECT_EQ(ramp_->resume(by("x"), now_).status, 409U);
  EXPECT_EQ(ramp_->promote(by("x"), now_).status, 409U);
  EXPECT_EQ(ramp_->abort(by("x"), now_).status, 409U);
  start();
  auto twice = ramp_->start(by("x"), now_);
  EXPECT_EQ(twice.status, 409U);
  EXPECT_NE(twice.error.find("already progressing"), std::string::npos) << twice.error;
  EXPECT_EQ(ramp_->resume(by("x"), now_).status, 409U);
  EXPECT_EQ(env_.changes.size(), 1U);
  EXPECT_EQ(state(), RampState::progressing);
}

TEST_F(RampMachineTest, ARefusedStartChangesNothingAndSaysWhy) {
  make();
  env_.guard = [](const ShareChange&) {
    return Outcome{409, "expand migration 1_add is not applied; run: ficus migrate up"};
  };
  auto outcome = ramp_->start(by("alice"), now_);
  EXPECT_EQ(outcome.status, 409U);
  EXPECT_NE(outcome.error.find("ficus migrate up"), std::string::npos);
  EXPECT_EQ(state(), RampState::pending);
  EXPECT_DOUBLE_EQ(env_.share, 0);
  EXPECT_TRUE(env_.events.empty());
  ASSERT_FALSE(env_.saves.empty());
  EXPECT_EQ(env_.saves.back().state, RampState::pending) << "the write-ahead save is undone";
  EXPECT_FALSE(env_.saves.back().applying);
}

TEST_F(RampMachineTest, ARefusedAutomaticStepPausesWithTheRefusal) {
  make();
  start();
  env_.healthy();
  env_.guard = [](const ShareChange& change) {
    return change.percent > 1 ? Outcome{409, "expand migration missing"} : Outcome{};
  };
  run_for(10s);
  EXPECT_EQ(state(), RampState::paused);
  EXPECT_EQ(step(), 0U);
  EXPECT_DOUBLE_EQ(env_.share, 1);
  EXPECT_NE(ramp_->progress().reason.find("expand migration missing"), std::string::npos);
}

TEST_F(RampMachineTest, ARefusedRollbackPausesInsteadOfFailingSilently) {
  make();
  start();
  env_.healthy();
  run_for(10s);
  env_.guard = [](const ShareChange& change) {
    return change.percent < 5 && !change.force ? Outcome{409, "contract 9_drop is applied"}
                                               : Outcome{};
  };
  env_.failing();
  run_for(1s);
  EXPECT_EQ(state(), RampState::paused);
  EXPECT_DOUBLE_EQ(env_.share, 5);
  EXPECT_NE(ramp_->progress().reason.find("contract 9_drop is applied"), std::string::npos);
  EXPECT_EQ(env_.actions().back(), "cutover-fail");
}

TEST_F(RampMachineTest, AShareChangedOutsideThePlanPausesIt) {
  make();
  start();
  env_.healthy();
  env_.share = 40;  // `ficus flags split orders 40` by hand
  run_for(1s);
  EXPECT_EQ(state(), RampState::paused);
  EXPECT_NE(ramp_->progress().reason.find("changed outside the plan: 40% now"), std::string::npos)
      << ramp_->progress().reason;
  ASSERT_TRUE(ramp_->resume(by("erin"), now_).ok());
  EXPECT_DOUBLE_EQ(env_.share, 1) << "resume sets the step's share again";
  env_.killed = true;
  run_for(1s);
  EXPECT_EQ(state(), RampState::paused) << "a kill pauses the plan too";
}

TEST_F(RampMachineTest, AfterARestartTheStepResumesCountingTheTimeAlreadySpent) {
  make();
  start();
  env_.healthy();
  run_for(10s);
  run_for(6s);
  ASSERT_EQ(step(), 1U);
  // What the service's periodic save writes: progress() as it is now.
  const RampProgress saved = ramp_->progress();
  EXPECT_EQ(saved.time_in_step, 6s);
  EXPECT_EQ(saved.step_index, 1U);

  // The proxy is down for an hour, then starts with what was saved.
  now_ += 1h;
  make(test_plan(), saved);
  ramp_->recover(now_);
  EXPECT_EQ(state(), RampState::progressing);
  EXPECT_EQ(step(), 1U);
  EXPECT_EQ(ramp_->progress().time_in_step, 6s) << "downtime does not count";
  run_for(3s);
  EXPECT_EQ(step(), 1U);
  run_for(1s);
  EXPECT_EQ(step(), 2U) << "6 s before the restart + 4 s after = one 10 s interval";
}

TEST_F(RampMachineTest, EveryJudgementIsSaved) {
  make();
  start();
  env_.quiet();
  const auto saves = env_.saves.size();
  run_for(10s);
  ASSERT_GT(env_.saves.size(), saves);
  EXPECT_EQ(env_.saves.back().insufficient_intervals, 1U);
  EXPECT_EQ(env_.saves.back().time_in_interval, 0ms);
}

TEST_F(RampMachineTest, RecoverMakesAShareChangeThatWasSavedButNotApplied) {
  make();
  RampProgress crashed;
  crashed.state = RampState::progressing;
  crashed.step_index = 2;
  crashed.share_percent = 25;
  crashed.applying = true;  // saved, then the process died before the flag file was written
  env_.share = 5;
  make(test_plan(), crashed);
  ramp_->recover(now_);
  EXPECT_DOUBLE_EQ(env_.share, 25);
  EXPECT_EQ(step(), 2U);
  EXPECT_FALSE(ramp_->progress().applying);
  EXPECT_EQ(env_.changes.back().actor, "cutover");
}

TEST(RampProgress, JsonRoundTrip) {
  RampProgress progress;
  progress.state = RampState::paused;
  progress.step_index = 3;
  progress.share_percent = 50;
  progress.time_in_step = 12345ms;
  progress.time_in_interval = 2345ms;
  progress.insufficient_intervals = 2;
  progress.reason = "paused by bob";
  std::string error;
  auto back = RampProgress::from_json(progress.to_json(), error);
  ASSERT_TRUE(back.has_value()) << error;
  EXPECT_EQ(back->to_json(), progress.to_json());
  EXPECT_FALSE(RampProgress::from_json({{"state", "sleeping"}, {"step_index", 0}}, error));
  EXPECT_NE(error.find("sleeping"), std::string::npos);
}

}  // namespace
}  // namespace ficus::cutover
