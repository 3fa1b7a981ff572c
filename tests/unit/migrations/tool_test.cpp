// run_tool: PostgreSQL's client tools get a database URL without its password (which goes in
// PGPASSWORD), so the password never shows in the process list. The "tool" here is /bin/sh printing
// the argument and the variable it received.
#include "migrations/runner/tool.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace ficus::migrations {
namespace {

ToolResult show(const std::string& url) {
  return run_tool({"/bin/sh", "-c", "printf '%s|%s' \"$1\" \"${PGPASSWORD-unset}\"", "sh", url});
}

TEST(RunTool, UrlPasswordGoesToPgpasswordNotTheCommandLine) {
  auto r = show("postgresql://app:s%40cret@db.internal:5432/orders?sslmode=require");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "postgresql://app@db.internal:5432/orders?sslmode=require|s@cret");
}

TEST(RunTool, UrlWithoutPasswordAndTheEnvironmentPassUnchanged) {
  ::setenv("PGPASSWORD", "from-the-environment", 1);
  auto r = show("postgresql://app@db/orders");
  ::unsetenv("PGPASSWORD");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "postgresql://app@db/orders|from-the-environment");
}

TEST(RunTool, UrlPasswordWinsOverAPgpasswordAlreadySet) {
  ::setenv("PGPASSWORD", "stale", 1);
  auto r = show("postgresql://app:fresh@db/orders");
  ::unsetenv("PGPASSWORD");
  EXPECT_EQ(r.output, "postgresql://app@db/orders|fresh");
}

TEST(RunTool, TwoDifferentPasswordsAreLeftInTheirUrls) {
  // PGPASSWORD holds one password; with two, each URL keeps its own.
  ::unsetenv("PGPASSWORD");
  auto r = run_tool({"/bin/sh", "-c", "printf '%s %s|%s' \"$1\" \"$2\" \"${PGPASSWORD-unset}\"",
                     "sh", "postgresql://a:one@db/x", "postgresql://b:two@db/y"});
  EXPECT_EQ(r.output, "postgresql://a:one@db/x postgresql://b:two@db/y|unset");
}

}  // namespace
}  // namespace ficus::migrations
