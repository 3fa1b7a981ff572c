// A route's "cutover" plan: every key read into CutoverPlan, defaults, and each validation rule
// with the JSON path and the message a user reads.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/config_loader.h"

namespace ficus::config {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kConfigFile = "/etc/ficus/ficus.json";

// A valid config whose route "orders" carries `plan` as its "cutover".
json config_with_plan(json plan) {
  json config = json::parse(R"({
    "flags": {"sources": ["file:flags.json"]},
    "upstreams": {"legacy": {"endpoints": ["127.0.0.1:9001"]},
                  "orders-v2": {"endpoints": ["127.0.0.1:9002"]}},
    "routes": [{"name": "orders", "old": "legacy", "new": "orders-v2", "flag": "orders-cutover"}]
  })");
  config["routes"][0]["cutover"] = std::move(plan);
  return config;
}

json minimal_plan() {
  return json::parse(R"({"database": "postgres://localhost/app", "steps": [1, 5, 25, 50, 100]})");
}

std::vector<std::string> errors_of(const json& config) {
  std::vector<std::string> out;
  for (const ConfigError& error : parse_config(config.dump(), kConfigFile).errors)
    out.push_back(error.path + ": " + error.message);
  return out;
}

// Errors for the minimal plan with `key` set to `value`.
std::vector<std::string> errors_with(const std::string& key, json value) {
  json plan = minimal_plan();
  plan[key] = std::move(value);
  return errors_of(config_with_plan(plan));
}

CutoverPlan loaded_plan(const json& plan) {
  LoadResult result = parse_config(config_with_plan(plan).dump(), kConfigFile);
  for (const ConfigError& error : result.errors) ADD_FAILURE() << error.to_string();
  if (!result.ok() || !result.config->routes.at(0).cutover) return {};
  return *result.config->routes.at(0).cutover;
}

TEST(CutoverPlanConfig, RouteWithoutCutoverHasNoPlan) {
  json config = config_with_plan(minimal_plan());
  config["routes"][0].erase("cutover");
  LoadResult result = parse_config(config.dump(), kConfigFile);
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result.config->routes[0].cutover.has_value());
}

TEST(CutoverPlanConfig, MinimalPlanGetsTheDocumentedDefaults) {
  CutoverPlan plan = loaded_plan(minimal_plan());
  EXPECT_EQ(plan.database, "postgres://localhost/app");
  EXPECT_THAT(plan.steps, ElementsAre(1, 5, 25, 50, 100));
  EXPECT_TRUE(plan.expand.empty());
  EXPECT_TRUE(plan.contract.empty());
  EXPECT_EQ(plan.step_interval, std::chrono::seconds(600));
  EXPECT_EQ(plan.gates, (CutoverGates{500, 0.01, 1.3}));
  EXPECT_EQ(plan.on_failure, CutoverPlan::OnFailure::rollback);
  EXPECT_TRUE(plan.rollback_steps.empty());
  EXPECT_EQ(plan.max_insufficient_intervals, 3u);
  EXPECT_EQ(plan.soak_before_contract, std::chrono::seconds(86400));
  EXPECT_EQ(plan.migrations_dir, "/etc/ficus/migrations");  // resolved against the config folder
}

TEST(CutoverPlanConfig, EveryKeyIsRead) {
  CutoverPlan plan = loaded_plan(json::parse(R"({
    "database": "sqlite:data/app.db",
    "expand": ["20261124120000_add_status_nullable", "20261124120500_backfill_status"],
    "steps": [0.5, 5, 100], "step_interval_s": 2,
    "gates": {"min_requests": 20, "max_error_rate_delta": 0.05, "max_p99_ratio": 2},
    "on_failure": "pause", "rollback_steps": [25, 5, 0], "max_insufficient_intervals": 7,
    "soak_before_contract_s": 0, "contract": ["20261125090000_drop_old_status"],
    "migrations_dir": "db/migrations"
  })"));
  EXPECT_EQ(plan.database, "sqlite:/etc/ficus/data/app.db");
  EXPECT_THAT(plan.expand,
              ElementsAre("20261124120000_add_status_nullable", "20261124120500_backfill_status"));
  EXPECT_THAT(plan.steps, ElementsAre(0.5, 5, 100));
  EXPECT_EQ(plan.step_interval, std::chrono::seconds(2));
  EXPECT_EQ(plan.gates, (CutoverGates{20, 0.05, 2.0}));
  EXPECT_EQ(plan.on_failure, CutoverPlan::OnFailure::pause);
  EXPECT_THAT(plan.rollback_steps, ElementsAre(25, 5, 0));
  EXPECT_EQ(plan.max_insufficient_intervals, 7u);
  EXPECT_EQ(plan.soak_before_contract, std::chrono::seconds(0));
  EXPECT_THAT(plan.contract, ElementsAre("20261125090000_drop_old_status"));
  EXPECT_EQ(plan.migrations_dir, "/etc/ficus/db/migrations");
}

TEST(CutoverPlanConfig, SqliteAbsolutePathsAndDbmateSpellingAreKept) {
  json plan = minimal_plan();
  plan["database"] = "sqlite:///var/lib/app.db";
  EXPECT_EQ(loaded_plan(plan).database, "sqlite:/var/lib/app.db");
  plan["database"] = "sqlite:/var/lib/app.db";
  EXPECT_EQ(loaded_plan(plan).database, "sqlite:/var/lib/app.db");
}

TEST(CutoverPlanConfig, StepsMustEndAt100) {
  EXPECT_THAT(errors_with("steps", {1, 5, 25}),
              ElementsAre("routes[0].cutover.steps: must end at 100 (got [1, 5, 25]); add 100 as "
                          "the last step"));
}

TEST(CutoverPlanConfig, StepsMustIncrease) {
  EXPECT_THAT(errors_with("steps", {5, 1, 100}),
              ElementsAre("routes[0].cutover.steps: must be strictly increasing (got [5, 1, "
                          "100]); each step sends more traffic to new than the one before"));
  EXPECT_THAT(errors_with("steps", {5, 5, 100}),
              ElementsAre(HasSubstr("must be strictly increasing")));
}

TEST(CutoverPlanConfig, StepsAreAbove0AndAtMost100) {
  EXPECT_THAT(errors_with("steps", {0, 50, 100}),
              ElementsAre("routes[0].cutover.steps[0]: must be above 0 and at most 100 (got 0); a "
                          "ramp starts from 0 % by itself"));
  EXPECT_THAT(errors_with("steps", {50, 150}),
              ElementsAre(HasSubstr("routes[0].cutover.steps[1]: must be above 0")));
}

TEST(CutoverPlanConfig, StepsAreRequiredNumbers) {
  json plan = minimal_plan();
  plan.erase("steps");
  EXPECT_THAT(errors_of(config_with_plan(plan)),
              ElementsAre("routes[0].cutover.steps: missing required key: the percentages of "
                          "traffic on new, held in turn, e.g. [1, 5, 25, 50, 100]"));
  EXPECT_THAT(errors_with("steps", json::array({1, "5", 100})),
              ElementsAre(R"(routes[0].cutover.steps[1]: expected a number, got string "5")"));
  EXPECT_THAT(errors_with("steps", json::array()), ElementsAre(HasSubstr("steps: empty")));
}

TEST(CutoverPlanConfig, DatabaseIsRequiredAndMustBePostgresOrSqlite) {
  json plan = minimal_plan();
  plan.erase("database");
  EXPECT_THAT(errors_of(config_with_plan(plan)),
              ElementsAre(HasSubstr("routes[0].cutover.database: missing required key")));
  EXPECT_THAT(errors_with("database", "mysql://localhost/app"),
              ElementsAre("routes[0].cutover.database: \"mysql://localhost/app\" is neither "
                          "postgres://... nor sqlite:PATH; write e.g. \"postgres://localhost/app\" "
                          "or \"sqlite:app.db\""));
  EXPECT_THAT(errors_with("database", "sqlite::memory:"),
              ElementsAre(HasSubstr("\"sqlite::memory:\" names no file")));
}

TEST(CutoverPlanConfig, MigrationIdsAreFileStems) {
  EXPECT_THAT(errors_with("expand", {"20261124120000_add_status.sql"}),
              ElementsAre("routes[0].cutover.expand[0]: \"20261124120000_add_status.sql\": leave "
                          "out \".sql\"; a migration id is the file name without .sql, e.g. "
                          "\"20261124120000_add_status\""));
  EXPECT_THAT(errors_with("contract", {"drop_old_status"}),
              ElementsAre(HasSubstr("routes[0].cutover.contract[0]: \"drop_old_status\" is not "
                                    "<version>_<name>")));
  EXPECT_THAT(errors_with("expand", {"migrations/20261124120000_add_status"}),
              ElementsAre(HasSubstr("is a path")));
  EXPECT_THAT(
      errors_with("expand", {"20261124120000_add_status", "20261124120000_add_status"}),
      ElementsAre(R"(routes[0].cutover.expand[1]: "20261124120000_add_status" is listed twice; )"
                  "remove one"));
  EXPECT_THAT(errors_with("expand", "20261124120000_add_status"),
              ElementsAre(HasSubstr("expand: expected an array of migration ids")));
}

TEST(CutoverPlanConfig, MigrationCannotBeBothExpandAndContract) {
  json plan = minimal_plan();
  plan["expand"] = {"20261124120000_add_status"};
  plan["contract"] = {"20261124120000_add_status"};
  EXPECT_THAT(errors_of(config_with_plan(plan)),
              ElementsAre(HasSubstr("routes[0].cutover.contract[0]: \"20261124120000_add_status\" "
                                    "is also listed in \"expand\"")));
}

TEST(CutoverPlanConfig, IntervalsAreWholePositiveSeconds) {
  EXPECT_THAT(errors_with("step_interval_s", 0),
              ElementsAre("routes[0].cutover.step_interval_s: must be between 1 and 604800, got "
                          "0"));
  EXPECT_THAT(errors_with("step_interval_s", "10m"),
              ElementsAre("routes[0].cutover.step_interval_s: expected a whole number of seconds "
                          "(e.g. 600), got string \"10m\""));
  EXPECT_THAT(errors_with("soak_before_contract_s", -1),
              ElementsAre(HasSubstr("soak_before_contract_s: must be between 0 and")));
  EXPECT_THAT(errors_with("max_insufficient_intervals", 0),
              ElementsAre(HasSubstr("max_insufficient_intervals: must be between 1 and 1000")));
}

TEST(CutoverPlanConfig, GatesAreChecked) {
  EXPECT_THAT(errors_with("gates", {{"max_error_rate_delta", 5}}),
              ElementsAre("routes[0].cutover.gates.max_error_rate_delta: must be a fraction "
                          "between 0 and 1 (0.01 = one percentage point more errors on new), got "
                          "5"));
  EXPECT_THAT(errors_with("gates", {{"max_p99_ratio", 0}}),
              ElementsAre(HasSubstr("gates.max_p99_ratio: must be above 0")));
  EXPECT_THAT(errors_with("gates", {{"min_requests", 0}}),
              ElementsAre(HasSubstr("gates.min_requests: must be at least 1, got 0")));
  EXPECT_THAT(errors_with("gates", {{"max_p99", 1.5}}),
              ElementsAre("routes[0].cutover.gates.max_p99: unknown key (did you mean "
                          "\"max_p99_ratio\"?)"));
}

TEST(CutoverPlanConfig, OnFailureIsRollbackOrPause) {
  EXPECT_THAT(errors_with("on_failure", "retry"),
              ElementsAre(HasSubstr("routes[0].cutover.on_failure: unknown value \"retry\"; use "
                                    "\"rollback\"")));
}

TEST(CutoverPlanConfig, RollbackStepsDecreaseToZero) {
  EXPECT_THAT(errors_with("rollback_steps", {25, 5}),
              ElementsAre("routes[0].cutover.rollback_steps: must end at 0 (got [25, 5]); a "
                          "rollback ends with no traffic on new"));
  EXPECT_THAT(errors_with("rollback_steps", {5, 25, 0}),
              ElementsAre(HasSubstr("must be strictly decreasing (got [5, 25, 0])")));
  EXPECT_THAT(errors_with("rollback_steps", {100, 0}),
              ElementsAre(HasSubstr("rollback_steps[0]: must be at least 0 and below 100")));
}

TEST(CutoverPlanConfig, UnknownKeyGetsDidYouMean) {
  EXPECT_THAT(errors_with("soak_before_contract", 60),
              ElementsAre("routes[0].cutover.soak_before_contract: unknown key (did you mean "
                          "\"soak_before_contract_s\"?)"));
  EXPECT_THAT(errors_with("step_interval", 60),
              ElementsAre(HasSubstr("(did you mean \"step_interval_s\"?)")));
}

TEST(CutoverPlanConfig, PlanNeedsNewAndFlagOnTheRoute) {
  json config = config_with_plan(minimal_plan());
  config["routes"][0].erase("flag");
  EXPECT_THAT(errors_of(config),
              ElementsAre("routes[0].cutover: a cutover plan ramps the route's flag from \"old\" "
                          "to \"new\", but the route has no \"flag\"; add \"flag\": the flag key "
                          "that splits its traffic"));
  config["routes"][0].erase("new");
  EXPECT_THAT(errors_of(config), ElementsAre(HasSubstr("the route has no \"new\"")));
}

TEST(CutoverPlanConfig, NonObjectIsReported) {
  EXPECT_THAT(errors_of(config_with_plan("yes")),
              ElementsAre("routes[0].cutover: expected an object, got string \"yes\""));
}

TEST(CutoverPlanConfig, EffectiveConfigShowsThePlanWithThePasswordRedacted) {
  json plan = minimal_plan();
  plan["database"] = "postgres://app:s3cret@db.internal/app";
  plan["contract"] = {"20261125090000_drop_old_status"};
  LoadResult result = parse_config(config_with_plan(plan).dump(), kConfigFile);
  ASSERT_TRUE(result.ok());
  json shown = to_redacted_json(*result.config);
  const json& cutover = shown["routes"][0]["cutover"];
  EXPECT_EQ(cutover["database"], "postgres://app:<redacted>@db.internal/app");
  EXPECT_EQ(shown.dump().find("s3cret"), std::string::npos);
  EXPECT_EQ(cutover["steps"], json({1, 5, 25, 50, 100}));
  EXPECT_EQ(cutover["step_interval_s"], 600);
  EXPECT_EQ(cutover["gates"], json::parse(R"({"min_requests": 500, "max_error_rate_delta": 0.01,
                                              "max_p99_ratio": 1.3})"));
  EXPECT_EQ(cutover["on_failure"], "rollback");
  EXPECT_EQ(cutover["soak_before_contract_s"], 86400);
  EXPECT_EQ(cutover["contract"], json({"20261125090000_drop_old_status"}));
  EXPECT_EQ(cutover["migrations_dir"], "/etc/ficus/migrations");
}

TEST(CutoverPlanConfig, EffectiveConfigLoadsBackToTheSamePlan) {
  json plan = json::parse(R"({"database": "sqlite:app.db", "expand": ["20261124120000_add"],
    "steps": [10, 100], "rollback_steps": [5, 0], "on_failure": "pause"})");
  LoadResult first = parse_config(config_with_plan(plan).dump(), kConfigFile);
  ASSERT_TRUE(first.ok());
  LoadResult second = parse_config(to_redacted_json(*first.config).dump(), kConfigFile);
  for (const ConfigError& error : second.errors) ADD_FAILURE() << error.to_string();
  ASSERT_TRUE(second.ok());
  const CutoverPlan& a = *first.config->routes[0].cutover;
  const CutoverPlan& b = *second.config->routes[0].cutover;
  EXPECT_EQ(a.database, b.database);
  EXPECT_EQ(a.expand, b.expand);
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(a.rollback_steps, b.rollback_steps);
  EXPECT_EQ(a.on_failure, b.on_failure);
  EXPECT_EQ(a.migrations_dir, b.migrations_dir);
}

}  // namespace
}  // namespace ficus::config
