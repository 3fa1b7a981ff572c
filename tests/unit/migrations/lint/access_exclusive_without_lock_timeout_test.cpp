#include "tests/unit/migrations/lint/lint_fixture.h"

namespace ficus::migrations::testing {
namespace {

constexpr const char* kRule = "access-exclusive-without-lock-timeout";

TEST(AccessExclusiveWithoutLockTimeout, FlagsTheExpectedLinesAndNotTheSafeForms) {
  expect_rule_matches_fixtures(kRule);
}

TEST(AccessExclusiveWithoutLockTimeout, FindingNamesTheLockAndTheSafeAlternative) {
  Finding f = first_finding(kRule, "bad.sql");
  EXPECT_NE(f.lock.find("ACCESS EXCLUSIVE on users"), std::string::npos) << f.lock;
  EXPECT_FALSE(f.impact.empty());
  EXPECT_NE(f.fix.find("lock_timeout"), std::string::npos) << f.fix;
}

TEST(AccessExclusiveWithoutLockTimeout, FiresWhenTheRunnerLockTimeoutIsOff) {
  LintOptions options;
  options.lock_timeout_ms = 0;
  EXPECT_EQ(flagged_lines(kRule, "good.sql", options), std::vector<std::size_t>{2});
}

}  // namespace
}  // namespace ficus::migrations::testing
