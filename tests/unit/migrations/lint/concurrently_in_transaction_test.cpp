#include "tests/unit/migrations/lint/lint_fixture.h"

namespace ficus::migrations::testing {
namespace {

constexpr const char* kRule = "concurrently-in-transaction";

TEST(ConcurrentlyInTransaction, FlagsTheExpectedLinesAndNotTheSafeForms) {
  expect_rule_matches_fixtures(kRule);
}

TEST(ConcurrentlyInTransaction, SaysTheMigrationFailsAndHowToMarkIt) {
  Finding f = first_finding(kRule, "bad.sql");
  EXPECT_NE(f.impact.find("rejects"), std::string::npos) << f.impact;
  EXPECT_NE(f.fix.find("-- ficus:no-transaction"), std::string::npos) << f.fix;
}

}  // namespace
}  // namespace ficus::migrations::testing
