// MigrationGate's decisions from a real config file and route statuses as the admin API writes
// them (JSON text). The proxy itself is in tests/integration/cutover/migrate_gate_test.cpp; here
// the status is handed in, as randomness is handed to the route table.
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cutover/migration_gate.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::cutover {
namespace {

using migrations::GateContext;
using migrations::MigrationInfo;
using migrations::Phase;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kAddStatus = "20261124120000";
constexpr const char* kDropOld = "20261125090000";

MigrationInfo add_status() {
  return {kAddStatus, "add_status_nullable", Phase::kExpand};
}
MigrationInfo drop_old() {
  return {kDropOld, "drop_old_status", Phase::kContract};
}
MigrationInfo unlisted_contract() {
  return {"20261126000000", "drop_legacy", Phase::kContract};
}

class MigrationGateTest : public ::testing::Test {
 protected:
  MigrationGateTest() {
    json config = json::parse(R"({
      "flags": {"sources": ["file:flags.json"]},
      "upstreams": {"old": {"endpoints": ["127.0.0.1:9001"]},
                    "new": {"endpoints": ["127.0.0.1:9002"]}},
      "routes": [{"name": "users", "old": "old", "new": "new", "flag": "users-new",
                  "cutover": {"database": "sqlite:app.db", "steps": [1, 50, 100],
                              "expand": ["20261124120000_add_status_nullable"],
                              "soak_before_contract_s": 3600,
                              "contract": ["20261125090000_drop_old_status"]}}]
    })");
    tmp_.write("ficus.json", config.dump());
    context_.config_path = tmp_.path() + "/ficus.json";
    context_.db_url = "sqlite:" + tmp_.path() + "/app.db";
    context_.dir = tmp_.path() + "/migrations";
  }

  // A gate whose proxy answers `status` for every route (or cannot be reached when null).
  MigrationGate gate(const json& status) {
    LiveStatusSource live = [status](const std::string&) {
      if (status.is_null()) {
        return LiveStatusResult{std::nullopt,
                                "cannot reach admin API at 127.0.0.1:9: Connection refused"};
      }
      return LiveStatusResult{parse_live_status(status), ""};
    };
    return MigrationGate(load_planned_config(context_.config_path), context_, live, "127.0.0.1:9",
                         notes_);
  }

  testing::TempDir tmp_;
  GateContext context_;
  std::ostringstream notes_;
};

json status(double share, json full_for_s = nullptr) {
  return {{"route", "users"},       {"state", share >= 100 ? "complete" : "progressing"},
          {"step_index", 1},        {"steps", {1, 50, 100}},
          {"share_percent", share}, {"full_for_s", full_for_s}};
}

TEST(FormatDuration, RoundsUpToTheSecondAndKeepsTwoUnits) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(4.2), "5s");
  EXPECT_EQ(format_duration(245), "4m 5s");
  EXPECT_EQ(format_duration(7620), "2h 7m");
  EXPECT_EQ(format_duration(97200), "1d 3h");
}

TEST_F(MigrationGateTest, ContractBelow100PercentIsRefusedNamingRouteShareAndSoak) {
  auto decision = gate(status(50)).before_apply(drop_old());
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.refusal,
            "route \"users\" sends 50 % of its traffic to new (cutover progressing, step 2 of "
            "3); contract migration 20261125090000_drop_old_status needs it at 100 % for 1h 0m "
            "(soak_before_contract_s) first, so at least 1h 0m left once it reaches 100 % (ficus "
            "cutover status users)");
}

TEST_F(MigrationGateTest, ContractBeforeTheSoakEndsIsRefusedWithTheTimeLeft) {
  auto decision = gate(status(100, 600.5)).before_apply(drop_old());
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.refusal,
            "route \"users\" has been at 100 % new for 10m 0s of its 1h 0m soak "
            "(soak_before_contract_s): 50m 0s left");
}

TEST_F(MigrationGateTest, ContractAfterTheSoakIsAllowed) {
  EXPECT_TRUE(gate(status(100, 3600.0)).before_apply(drop_old()).allowed);
}

TEST_F(MigrationGateTest, ContractAt100WithoutFullSinceIsRefused) {
  auto decision = gate(status(100)).before_apply(drop_old());
  EXPECT_FALSE(decision.allowed);
  EXPECT_THAT(decision.refusal, HasSubstr("does not say since when"));
}

TEST_F(MigrationGateTest, ProxyDownRefusesListedContractButNotOtherMigrations) {
  MigrationGate g = gate(nullptr);
  auto decision = g.before_apply(drop_old());
  EXPECT_FALSE(decision.allowed);
  EXPECT_THAT(decision.refusal,
              HasSubstr("the cutover state of route \"users\" is unknown: cannot reach admin API "
                        "at 127.0.0.1:9: Connection refused"));
  EXPECT_THAT(decision.refusal, HasSubstr("ficus serve --config " + context_.config_path));
  EXPECT_THAT(decision.refusal, HasSubstr("migrate.proxy_admin"));
  EXPECT_TRUE(g.before_apply(add_status()).allowed);
}

TEST_F(MigrationGateTest, DownOfExpandIsRefusedWhileNewGetsTraffic) {
  auto decision = gate(status(1)).before_revert(add_status());
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.refusal,
            "route \"users\" still sends 1 % of its traffic to new, whose code needs expand "
            "migration 20261124120000_add_status_nullable; move the route back to old first "
            "(ficus cutover abort users, or ficus flags kill users), then roll back");
  EXPECT_TRUE(gate(status(0)).before_revert(add_status()).allowed);
  EXPECT_FALSE(gate(nullptr).before_revert(add_status()).allowed);
  EXPECT_TRUE(gate(status(50)).before_revert(drop_old()).allowed);  // contract rollback: no rule
}

TEST_F(MigrationGateTest, UnlistedContractFromThePlansFolderIsRefusedUnlessAllowed) {
  context_.dir = tmp_.path() + "/migrations";  // the plan's default migrations_dir
  auto decision = gate(status(0)).before_apply(unlisted_contract());
  EXPECT_FALSE(decision.allowed);
  EXPECT_THAT(decision.refusal, HasSubstr("no cutover plan in " + context_.config_path +
                                          " lists it, while the "
                                          "plans of route \"users\" draw on"));
  EXPECT_THAT(decision.refusal, HasSubstr("--allow-unplanned-contract"));

  context_.allow_unplanned_contract = true;
  EXPECT_TRUE(gate(status(0)).before_apply(unlisted_contract()).allowed);
  EXPECT_THAT(notes_.str(), HasSubstr("no cutover plan in " + context_.config_path + " lists"));
}

TEST_F(MigrationGateTest, UnlistedContractFromAnotherFolderIsAppliedWithANote) {
  context_.dir = tmp_.path() + "/reporting-migrations";
  EXPECT_TRUE(gate(status(0)).before_apply(unlisted_contract()).allowed);
  EXPECT_THAT(notes_.str(), HasSubstr("applying it without a traffic check"));
}

TEST(MigrationGateWithoutConfig, EverythingAppliesAndContractGetsANote) {
  std::ostringstream notes;
  GateContext context{"", "sqlite:app.db", "migrations", std::nullopt, false};
  MigrationGate gate(std::nullopt, context, nullptr, "", notes);
  EXPECT_TRUE(gate.before_apply(drop_old()).allowed);
  EXPECT_TRUE(gate.before_revert(add_status()).allowed);
  EXPECT_THAT(notes.str(), HasSubstr("20261125090000_drop_old_status is a contract migration and "
                                     "no config was given (--config or $FICUS_CONFIG)"));
  EXPECT_THAT(notes.str(), HasSubstr("20261124120000_add_status_nullable is an expand migration"));
}

TEST(PlannedConfig, LoadsWithoutTheAdminTokenInTheEnvironment) {
  testing::TempDir tmp;
  json config = json::parse(R"({
    "admin": {"listen": "0.0.0.0:9911", "token_env": "FICUS_TEST_TOKEN_NEVER_SET"},
    "flags": {"sources": ["file:flags.json"]},
    "upstreams": {"old": {"endpoints": ["127.0.0.1:9001"]},
                  "new": {"endpoints": ["127.0.0.1:9002"]}},
    "routes": [{"name": "users", "old": "old", "new": "new", "flag": "users-new",
                "cutover": {"database": "sqlite:app.db", "steps": [100]}}]
  })");
  tmp.write("ficus.json", config.dump());
  PlannedConfig planned = load_planned_config(tmp.path() + "/ficus.json");
  ASSERT_NE(planned.config, nullptr);
  EXPECT_EQ(planned.token_env, "FICUS_TEST_TOKEN_NEVER_SET");
  auto options = admin_options_for(planned, std::nullopt);
  EXPECT_EQ(options.address, "127.0.0.1:9911");  // the wildcard is reached on loopback
  EXPECT_TRUE(options.token.empty());
  EXPECT_EQ(admin_options_for(planned, "10.1.2.3:9901").address, "10.1.2.3:9901");
}

TEST(PlannedConfig, InvalidConfigListsEveryError) {
  testing::TempDir tmp;
  tmp.write("ficus.json", R"({"upstreams": {}, "routes": [], "admin": {"listn": "x"}})");
  try {
    load_planned_config(tmp.path() + "/ficus.json");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot read the cutover plans of"));
    EXPECT_THAT(e.what(), HasSubstr("admin.listn: unknown key"));
    EXPECT_THAT(e.what(), HasSubstr("ficus check --config"));
  }
}

}  // namespace
}  // namespace ficus::cutover
