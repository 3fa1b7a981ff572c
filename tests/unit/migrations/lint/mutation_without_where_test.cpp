#include "tests/unit/migrations/lint/lint_fixture.h"

namespace ficus::migrations::testing {
namespace {

constexpr const char* kRule = "mutation-without-where";

TEST(MutationWithoutWhere, FlagsTheExpectedLinesAndNotTheSafeForms) {
  expect_rule_matches_fixtures(kRule);
}

TEST(MutationWithoutWhere, FindingNamesTheLockAndTheSafeAlternative) {
  Finding f = first_finding(kRule, "bad.sql");
  EXPECT_NE(f.lock.find("ROW EXCLUSIVE on users"), std::string::npos) << f.lock;
  EXPECT_FALSE(f.impact.empty());
  EXPECT_NE(f.fix.find("ficus:batch"), std::string::npos) << f.fix;
}

}  // namespace
}  // namespace ficus::migrations::testing
