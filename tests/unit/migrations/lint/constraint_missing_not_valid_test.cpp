#include "tests/unit/migrations/lint/lint_fixture.h"

namespace ficus::migrations::testing {
namespace {

constexpr const char* kRule = "constraint-missing-not-valid";

TEST(ConstraintMissingNotValid, FlagsTheExpectedLinesAndNotTheSafeForms) {
  expect_rule_matches_fixtures(kRule);
}

TEST(ConstraintMissingNotValid, FindingNamesTheLockAndTheSafeAlternative) {
  Finding f = first_finding(kRule, "bad.sql");
  EXPECT_NE(f.lock.find("SHARE ROW EXCLUSIVE on orders"), std::string::npos) << f.lock;
  EXPECT_FALSE(f.impact.empty());
  EXPECT_NE(f.fix.find("VALIDATE CONSTRAINT orders_user_fk"), std::string::npos) << f.fix;
}

}  // namespace
}  // namespace ficus::migrations::testing
