// `ficus migrate rehearse` on real PostgreSQL and SQLite: a correct up/down pair passes with its
// measurements, a down that forgets what up created is caught, a failing verify is reported, and
// the target is left exactly as it was.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "migrations/runner/driver.h"
#include "migrations/runner/history.h"
#include "migrations/runner/rehearsal.h"
#include "migrations/runner/runner.h"
#include "tests/support/db/pg_server.h"
#include "tests/support/db/process.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::migrations {
namespace {

constexpr const char* kAccounts =
    "-- ficus:up\nCREATE TABLE accounts (id integer PRIMARY KEY, name text);\n"
    "INSERT INTO accounts VALUES (1, 'a'), (2, 'b'), (3, 'c');\n"
    "-- ficus:down\nDROP TABLE accounts;\n";
constexpr const char* kGoodPair =
    "-- ficus:up\nALTER TABLE accounts ADD COLUMN note text;\n"
    "UPDATE accounts SET note = 'x' WHERE id > 0;\n"
    "-- ficus:verify\nSELECT id FROM accounts WHERE note IS NULL;\n"
    "-- ficus:down\nALTER TABLE accounts DROP COLUMN note;\n";
constexpr const char* kForgetfulDown =
    "-- ficus:up\nCREATE TABLE audit (id integer);\nCREATE TABLE audit_archive (id integer);\n"
    "-- ficus:down\nDROP TABLE audit;\n";

class Rehearse : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    url_ = GetParam() ? testing::PgEnvironment::server().create_database()
                      : "sqlite:" + tmp_.path() + "/app.db";
    add("20240101000000_accounts.sql", kAccounts);
    std::ostringstream out;
    auto db = open_driver(url_);
    Runner(*db, run_options(), out).up();
  }
  void add(const std::string& file, const std::string& text) {
    tmp_.write("migrations/" + file, text);
  }
  RunOptions run_options() const {
    RunOptions o;
    o.dir = tmp_.path() + "/migrations";
    o.lock_retries = 0;
    return o;
  }
  RehearsalReport run(bool keep = false) {
    RehearseOptions o;
    o.run = run_options();
    o.keep = keep;
    return rehearse(url_, o);
  }
  // Schema, history and rows of the target, to show rehearse did not touch it.
  std::string snapshot() {
    std::string out;
    for (const std::string& line : normalized_schema(url_, {})) out += line + "\n";
    for (const AppliedMigration& a : applied(url_)) out += a.version + " " + a.applied_at + "\n";
    for (const Row& r : open_driver(url_)->query("SELECT * FROM accounts ORDER BY id"))
      for (const Value& v : r) out += v.value_or("NULL") + "\n";
    return out;
  }
  bool copy_exists(const std::string& copy) {
    if (!GetParam()) return std::filesystem::exists(copy.substr(std::string("sqlite:").size()));
    std::string name = copy.substr(copy.rfind('/') + 1);
    return !open_driver(url_)
                ->query("SELECT 1 FROM pg_database WHERE datname = $1", {name})
                .empty();
  }

  testing::TempDir tmp_;
  std::string url_;
};

TEST_P(Rehearse, CorrectPairPassesWithTimesRowsAndLocks) {
  add("20240102000000_note.sql", kGoodPair);
  RehearsalReport report = run();
  ASSERT_EQ(report.migrations.size(), 1u) << format_rehearsal(report);
  const RehearsedMigration& m = report.migrations[0];
  EXPECT_TRUE(report.ok()) << format_rehearsal(report);
  EXPECT_TRUE(m.reversible) << format_rehearsal(report);
  EXPECT_EQ(m.rows, 3);
  EXPECT_TRUE(m.error.empty()) << m.error;
  if (GetParam()) {
    bool exclusive = false;
    for (const HeldLock& l : m.locks)
      exclusive |= l.mode == "ACCESS EXCLUSIVE" && l.relation == "public.accounts";
    EXPECT_TRUE(exclusive) << format_rehearsal(report);
  }
  EXPECT_FALSE(copy_exists(report.copy));
}

TEST_P(Rehearse, DownThatForgetsWhatUpCreatedIsCaught) {
  add("20240102000000_audit.sql", kForgetfulDown);
  RehearsalReport report = run();
  ASSERT_EQ(report.migrations.size(), 1u);
  EXPECT_FALSE(report.ok());
  EXPECT_FALSE(report.migrations[0].reversible);
  std::string text = format_rehearsal(report);
  EXPECT_NE(text.find("down reverses up: NO"), std::string::npos) << text;
  EXPECT_NE(text.find("audit_archive"), std::string::npos) << text;
}

TEST_P(Rehearse, FailingVerifyIsReportedAsAFailure) {
  add("20240102000000_note.sql",
      "-- ficus:up\nALTER TABLE accounts ADD COLUMN note text;\n"
      "-- ficus:verify\nSELECT id FROM accounts WHERE note IS NULL;\n"
      "-- ficus:down\nALTER TABLE accounts DROP COLUMN note;\n");
  RehearsalReport report = run();
  ASSERT_EQ(report.migrations.size(), 1u);
  EXPECT_FALSE(report.ok());
  EXPECT_NE(report.migrations[0].error.find("3 row(s)"), std::string::npos)
      << report.migrations[0].error;
}

TEST_P(Rehearse, TargetIsLeftUnchanged) {
  add("20240102000000_note.sql", kGoodPair);
  add("20240103000000_audit.sql", kForgetfulDown);
  std::string before = snapshot();
  RehearsalReport report = run();
  EXPECT_EQ(report.migrations.size(), 2u) << format_rehearsal(report);
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(applied(url_).size(), 1u);
}

TEST_P(Rehearse, KeepLeavesTheCopyWithTheMigrationsApplied) {
  add("20240102000000_note.sql", kGoodPair);
  RehearsalReport report = run(/*keep=*/true);
  ASSERT_TRUE(copy_exists(report.copy)) << report.copy;
  EXPECT_EQ(applied(report.copy).size(), 2u);
  EXPECT_EQ(applied(url_).size(), 1u);
  if (GetParam()) {
    std::string name = report.copy.substr(report.copy.rfind('/') + 1);
    open_driver(testing::PgEnvironment::server().url())->execute("DROP DATABASE \"" + name + "\"");
  } else {
    std::filesystem::remove(report.copy.substr(std::string("sqlite:").size()));
  }
}

TEST_P(Rehearse, CliExitsNonZeroWhenADownDoesNotReverseItsUp) {
  add("20240102000000_audit.sql", kForgetfulDown);
  testing::ProcessResult r = testing::run_process(
      {"env", "-u", "DATABASE_URL", "-u", "FICUS_CONFIG", FICUS_MIGRATE_CLI, "migrate", "rehearse",
       "--db", url_, "--dir", tmp_.path() + "/migrations"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("1 with problems"), std::string::npos) << r.output;
}

TEST(RehearsePostgres, FallsBackToADumpWhenTheTargetIsInUse) {
  testing::TempDir tmp;
  std::string url = testing::PgEnvironment::server().create_database();
  tmp.write("migrations/20240101000000_accounts.sql", kAccounts);
  RunOptions o;
  o.dir = tmp.path() + "/migrations";
  auto busy = open_driver(url);  // another session on the target: TEMPLATE is impossible
  std::ostringstream out;
  Runner(*busy, o, out).up();
  tmp.write("migrations/20240102000000_note.sql", kGoodPair);
  RehearseOptions options;
  options.run = o;
  RehearsalReport report = rehearse(url, options);
  EXPECT_NE(report.method.find("fresh pg_dump"), std::string::npos) << report.method;
  ASSERT_EQ(report.migrations.size(), 1u) << format_rehearsal(report);
  EXPECT_TRUE(report.ok()) << format_rehearsal(report);
}

TEST(RehearseUrl, WithDatabaseReplacesOnlyTheDatabaseName) {
  EXPECT_EQ(with_database("postgres://u@h:5432/app?sslmode=disable", "x"),
            "postgres://u@h:5432/x?sslmode=disable");
  EXPECT_EQ(with_database("postgresql://u@h", "x"), "postgresql://u@h/x");
}

INSTANTIATE_TEST_SUITE_P(PostgresAndSqlite, Rehearse, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "Postgres" : "Sqlite"; });

}  // namespace
}  // namespace ficus::migrations
