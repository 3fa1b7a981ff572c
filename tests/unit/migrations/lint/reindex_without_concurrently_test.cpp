#include "tests/unit/migrations/lint/lint_fixture.h"

namespace ficus::migrations::testing {
namespace {

constexpr const char* kRule = "reindex-without-concurrently";

TEST(ReindexWithoutConcurrently, FlagsTheExpectedLinesAndNotTheSafeForms) {
  expect_rule_matches_fixtures(kRule);
}

TEST(ReindexWithoutConcurrently, FindingNamesTheLockAndTheSafeAlternative) {
  Finding f = first_finding(kRule, "bad.sql");
  EXPECT_NE(f.lock.find("ACCESS EXCLUSIVE on users_email_idx"), std::string::npos) << f.lock;
  EXPECT_FALSE(f.impact.empty());
  EXPECT_NE(f.fix.find("CONCURRENTLY"), std::string::npos) << f.fix;
}

}  // namespace
}  // namespace ficus::migrations::testing
