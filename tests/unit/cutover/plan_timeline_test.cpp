// `ficus cutover plan`'s timeline from real migration files (linted for their locks), a history
// as `ficus migrate` records it, and an admin API status (JSON) handed in.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cutover/plan_timeline.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::cutover {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PlanTimelineTest : public ::testing::Test {
 protected:
  PlanTimelineTest() {
    tmp_.write("migrations/20261124120000_add_status.sql",
               "-- ficus:phase expand\n-- ficus:up\nALTER TABLE users ADD COLUMN status text;\n"
               "CREATE INDEX users_status ON users (status);\n"
               "-- ficus:down\nALTER TABLE users DROP COLUMN status;\n");
    tmp_.write("migrations/20261125090000_drop_active.sql",
               "-- ficus:phase contract\n-- ficus:up\nALTER TABLE users DROP COLUMN active;\n");
    plan_.database = "postgres://localhost/app";
    plan_.expand = {"20261124120000_add_status"};
    plan_.contract = {"20261125090000_drop_active", "20261126000000_missing"};
    plan_.steps = {1, 25, 100};
    plan_.step_interval = std::chrono::seconds(600);
    plan_.soak_before_contract = std::chrono::seconds(86400);
    plan_.rollback_steps = {5, 0};
    plan_.migrations_dir = tmp_.path() + "/migrations";
  }

  testing::TempDir tmp_;
  config::CutoverPlan plan_;
};

TEST_F(PlanTimelineTest, ShowsEveryPhaseWithLintLocksAndWhatIsApplied) {
  std::vector<migrations::AppliedMigration> applied = {
      {"20261124120000", "add_status", "", "expand", "2026-11-24T12:00:01Z", 3, "me"}};
  nlohmann::json status = nlohmann::json::parse(R"({"route": "users", "state": "progressing",
    "step_index": 1, "steps": [1, 25, 100], "share_percent": 25.0, "time_in_step_s": 125.5,
    "full_since": null, "full_for_s": null, "paused_reason": "",
    "last_gates": {"verdict": "pass", "checks": [
      {"gate": "max_p99_ratio", "limit": 1.3, "value": 1.02, "pass": true}]}})");
  std::string text =
      render_timeline(build_timeline("users", plan_, applied, "", {parse_live_status(status), ""}));
  EXPECT_THAT(text, HasSubstr("20261124120000_add_status  [applied 2026-11-24T12:00:01Z]"));
  EXPECT_THAT(text, HasSubstr("2. ramp: 1 % -> 25 % -> 100 %, each step held 10m 0s"));
  EXPECT_THAT(text, HasSubstr("on a failed gate: roll back 5 % -> 0 %"));
  EXPECT_THAT(text, HasSubstr("3. soak: 1d 0h at 100 %"));
  // The linter's verdict and the lock of each statement: the index is built without
  // CONCURRENTLY (an error), the contract file's DROP COLUMN is where it belongs.
  EXPECT_THAT(text, HasSubstr("lint: 1 error (blocks up); -- ficus:phase expand"));
  EXPECT_THAT(text, HasSubstr("lock line 3: ACCESS EXCLUSIVE on users"));
  EXPECT_THAT(text, HasSubstr("lock line 4: SHARE on users"));
  EXPECT_THAT(text, HasSubstr("20261125090000_drop_active  [not applied]\n      lint ok; -- "
                              "ficus:phase contract"));
  EXPECT_THAT(text, HasSubstr("20261126000000_missing  [not applied]\n      file not found"));
  EXPECT_THAT(text, HasSubstr("expand 1/1 applied, contract 0/2 applied"));
  EXPECT_THAT(text, HasSubstr("state progressing, step 2 of 3, 25 % of traffic on new, 2m 6s in "
                              "this step"));
  EXPECT_THAT(text, HasSubstr("last gates: pass; max_p99_ratio pass (limit 1.3) value 1.02"));
}

TEST_F(PlanTimelineTest, SaysWhenTheProxyOrTheHistoryCannotBeRead) {
  std::string text = render_timeline(build_timeline(
      "users", plan_, std::nullopt, "cannot connect to postgres://localhost/app",
      {std::nullopt, "cannot reach admin API at 127.0.0.1:9901: Connection refused"}));
  EXPECT_THAT(text, HasSubstr("(cannot read the migration history: cannot connect"));
  EXPECT_THAT(text, HasSubstr("migration history unknown"));
  EXPECT_THAT(text, HasSubstr("live state unknown: cannot reach admin API at 127.0.0.1:9901"));
  EXPECT_THAT(text, Not(HasSubstr("state progressing")));
}

TEST_F(PlanTimelineTest, AtOneHundredPercentShowsTheSoakLeft) {
  nlohmann::json status = {
      {"route", "users"}, {"state", "complete"}, {"share_percent", 100.0}, {"full_for_s", 3600.0}};
  std::string text =
      render_timeline(build_timeline("users", plan_, std::vector<migrations::AppliedMigration>{},
                                     "", {parse_live_status(status), ""}));
  EXPECT_THAT(text, HasSubstr("at 100 % for 1h 0m: 23h 0m of soak left"));
}

}  // namespace
}  // namespace ficus::cutover
