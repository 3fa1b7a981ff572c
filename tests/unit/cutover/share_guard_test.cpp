// The expand/contract rules on a route's share, on known migration histories: what is refused,
// what the refusal names (the missing migrations and the command that applies them), forcing past
// a contract, and an unreadable history.
#include "cutover/share_guard.h"

#include <gtest/gtest.h>

namespace ficus::cutover {
namespace {

config::CutoverPlan plan() {
  config::CutoverPlan p;
  p.database = "postgres://app:s3cret@localhost/app";
  p.expand = {"20261124120000_add_status_nullable", "20261124120500_backfill_status"};
  p.contract = {"20261125090000_drop_old_status"};
  p.steps = {1, 5, 25, 50, 100};
  p.migrations_dir = "/srv/app/migrations";
  return p;
}

AppliedMigrations applied(std::set<std::string> ids) {
  return {std::move(ids), ""};
}

TEST(ShareGuard, RaisingIsRefusedUntilEveryExpandMigrationIsApplied) {
  auto verdict = judge_share_move("orders", plan(), 0, 1, false,
                                  applied({"20261124120000_add_status_nullable"}));
  EXPECT_EQ(verdict.refusal,
            "route \"orders\": expand migration 20261124120500_backfill_status is not applied to "
            "postgres://app:<redacted>@localhost/app; run: ficus migrate up --db "
            "postgres://app:<redacted>@localhost/app --dir /srv/app/migrations");
  auto none = judge_share_move("orders", plan(), 0, 1, false, applied({}));
  EXPECT_NE(none.refusal.find("expand migrations 20261124120000_add_status_nullable, "
                              "20261124120500_backfill_status are not applied"),
            std::string::npos)
      << none.refusal;
  auto all = judge_share_move(
      "orders", plan(), 0, 1, false,
      applied({"20261124120000_add_status_nullable", "20261124120500_backfill_status"}));
  EXPECT_EQ(all.refusal, "");
}

TEST(ShareGuard, LoweringOrKeepingTheShareNeedsNoExpandMigration) {
  EXPECT_EQ(judge_share_move("orders", plan(), 25, 5, false, applied({})).refusal, "");
  EXPECT_EQ(judge_share_move("orders", plan(), 25, 25, false, applied({})).refusal, "");
  EXPECT_EQ(judge_share_move("orders", plan(), 0, 0, false, applied({})).refusal, "");
}

TEST(ShareGuard, LoweringAfterAContractMigrationIsRefusedUnlessForced) {
  auto history = applied({"20261124120000_add_status_nullable", "20261124120500_backfill_status",
                          "20261125090000_drop_old_status"});
  auto refused = judge_share_move("orders", plan(), 100, 0, false, history);
  EXPECT_NE(refused.refusal.find("contract migration 20261125090000_drop_old_status is applied"),
            std::string::npos)
      << refused.refusal;
  EXPECT_NE(refused.refusal.find("\"force\": true"), std::string::npos);
  EXPECT_NE(refused.refusal.find("--force"), std::string::npos);
  auto forced = judge_share_move("orders", plan(), 100, 0, true, history);
  EXPECT_EQ(forced.refusal, "");
  EXPECT_NE(forced.forced.find("20261125090000_drop_old_status"), std::string::npos);
  // Raising after contract is fine (new code is what the schema now expects).
  EXPECT_EQ(judge_share_move("orders", plan(), 50, 100, false, history).refusal, "");
}

TEST(ShareGuard, AnUnreadableHistoryRefusesRaisingButNotLowering) {
  AppliedMigrations broken{{}, "connection refused"};
  auto raise = judge_share_move("orders", plan(), 0, 5, false, broken);
  EXPECT_NE(raise.refusal.find("connection refused"), std::string::npos) << raise.refusal;
  EXPECT_EQ(judge_share_move("orders", plan(), 50, 0, false, broken).refusal, "");
}

TEST(ShareGuard, RoutesWithoutAPlanAreNotChecked) {
  int reads = 0;
  auto guard = make_share_guard([&](const std::string&) {
    ++reads;
    return AppliedMigrations{};
  });
  config::RouteConfig route;
  route.name = "orders";
  EXPECT_EQ(guard({.route = route, .from_percent = 0, .to_percent = 50, .force = false}).refusal,
            "");
  EXPECT_EQ(reads, 0);
  route.cutover = plan();
  EXPECT_NE(guard({.route = route, .from_percent = 0, .to_percent = 50, .force = false}).refusal,
            "");
  EXPECT_EQ(reads, 1);
}

}  // namespace
}  // namespace ficus::cutover
