#include "tests/unit/migrations/lint/lint_fixture.h"

namespace ficus::migrations::testing {
namespace {

constexpr const char* kRule = "require-concurrent-index-creation";

TEST(RequireConcurrentIndexCreation, FlagsTheExpectedLinesAndNotTheSafeForms) {
  expect_rule_matches_fixtures(kRule);
}

TEST(RequireConcurrentIndexCreation, FindingNamesTheLockAndTheSafeAlternative) {
  Finding f = first_finding(kRule, "bad.sql");
  EXPECT_NE(f.lock.find("SHARE on users"), std::string::npos) << f.lock;
  EXPECT_FALSE(f.impact.empty());
  EXPECT_NE(f.fix.find("CONCURRENTLY"), std::string::npos) << f.fix;
}

}  // namespace
}  // namespace ficus::migrations::testing
