#include "tests/unit/migrations/lint/lint_fixture.h"

namespace ficus::migrations::testing {
namespace {

constexpr const char* kRule = "renaming-column";

TEST(RenamingColumn, FlagsTheExpectedLinesAndNotTheSafeForms) {
  expect_rule_matches_fixtures(kRule);
}

TEST(RenamingColumn, FindingNamesTheLockAndTheSafeAlternative) {
  Finding f = first_finding(kRule, "bad.sql");
  EXPECT_NE(f.lock.find("ACCESS EXCLUSIVE on users"), std::string::npos) << f.lock;
  EXPECT_FALSE(f.impact.empty());
  EXPECT_NE(f.fix.find("expand/contract"), std::string::npos) << f.fix;
}

}  // namespace
}  // namespace ficus::migrations::testing
