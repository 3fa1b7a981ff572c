#include "tests/unit/migrations/lint/lint_fixture.h"

namespace ficus::migrations::testing {
namespace {

constexpr const char* kRule = "lock-table";

TEST(LockTable, FlagsTheExpectedLinesAndNotTheSafeForms) {
  expect_rule_matches_fixtures(kRule);
}

TEST(LockTable, FindingNamesTheLockAndTheSafeAlternative) {
  Finding f = first_finding(kRule, "bad.sql");
  EXPECT_NE(f.lock.find("ACCESS EXCLUSIVE on users"), std::string::npos) << f.lock;
  EXPECT_FALSE(f.impact.empty());
  EXPECT_NE(f.fix.find("weaker locks"), std::string::npos) << f.fix;
}

TEST(LockTable, NamesTheRequestedLockMode) {
  std::vector<Finding> findings = lint_fixture(kRule, "bad.sql");
  EXPECT_NE(findings.at(1).lock.find("SHARE on users"), std::string::npos) << findings.at(1).lock;
}

}  // namespace
}  // namespace ficus::migrations::testing
