// Runner behaviour against real SQLite files: apply, roll back, failures, drift, gates.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <sstream>

#include "migrations/runner/driver.h"
#include "migrations/runner/history.h"
#include "migrations/runner/runner.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::migrations {
namespace {

class SqliteRunner : public ::testing::Test {
 protected:
  std::string add(const std::string& file, const std::string& text) {
    return dir_.write("migrations/" + file, text);
  }
  RunOptions options() const {
    RunOptions o;
    o.dir = dir_.path() + "/migrations";
    o.retry_backoff_ms = 1;
    return o;
  }
  int up(RunOptions o) {
    auto db = open_driver(sqlite_.url());
    return Runner(*db, o, out_).up();
  }
  int up() { return up(options()); }
  int down(int steps, std::optional<std::string> to = std::nullopt) {
    auto db = open_driver(sqlite_.url());
    return Runner(*db, options(), out_).down(steps, to);
  }
  std::string error_of(const std::function<void()>& fn) {
    try {
      fn();
    } catch (const MigrationError& e) {
      return e.what();
    }
    return "";
  }
  std::vector<Row> query(const std::string& sql) { return open_driver(sqlite_.url())->query(sql); }
  std::vector<std::string> versions() {
    std::vector<std::string> out;
    for (const AppliedMigration& a : applied(sqlite_.url())) out.push_back(a.version);
    return out;
  }

  testing::TempDir dir_;
  testing::TempSqlite sqlite_;
  std::ostringstream out_;
};

const char* kCreateUsers =
    "-- ficus:phase expand\n-- ficus:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n"
    "-- ficus:down\nDROP TABLE users;\n";
const char* kAddEmail =
    "-- ficus:up\nALTER TABLE users ADD COLUMN email TEXT;\n"
    "-- ficus:down\nALTER TABLE users DROP COLUMN email;\n";

TEST_F(SqliteRunner, UpAppliesPendingMigrationsInVersionOrderAndRecordsHistory) {
  add("20240102000000_add_email.sql", kAddEmail);
  add("20240101000000_create_users.sql", kCreateUsers);
  EXPECT_EQ(up(), 2);
  auto history = applied(sqlite_.url());
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].version, "20240101000000");
  EXPECT_EQ(history[0].name, "create_users");
  EXPECT_EQ(history[0].phase, "expand");
  EXPECT_EQ(history[0].checksum.size(), 64u);
  EXPECT_FALSE(history[0].applied_at.empty());
  EXPECT_NE(history[0].applied_by.find('@'), std::string::npos);
  EXPECT_EQ(history[1].phase, "");
  EXPECT_NO_THROW(query("SELECT email FROM users"));
}

TEST_F(SqliteRunner, SecondUpAppliesNothing) {
  add("20240101000000_create_users.sql", kCreateUsers);
  EXPECT_EQ(up(), 1);
  EXPECT_EQ(up(), 0);
}

TEST_F(SqliteRunner, UpToStopsAtThatVersion) {
  add("20240101000000_create_users.sql", kCreateUsers);
  add("20240102000000_add_email.sql", kAddEmail);
  RunOptions o = options();
  o.to_version = "20240101000000";
  EXPECT_EQ(up(o), 1);
  EXPECT_EQ(versions(), std::vector<std::string>{"20240101000000"});
}

TEST_F(SqliteRunner, DownThenUpRoundTrips) {
  add("20240101000000_create_users.sql", kCreateUsers);
  add("20240102000000_add_email.sql", kAddEmail);
  up();
  EXPECT_EQ(down(1), 1);
  EXPECT_EQ(versions(), std::vector<std::string>{"20240101000000"});
  EXPECT_THROW(query("SELECT email FROM users"), DbError);
  EXPECT_EQ(up(), 1);
  EXPECT_NO_THROW(query("SELECT email FROM users"));
}

TEST_F(SqliteRunner, DownToVersionRollsBackEverythingNewer) {
  add("20240101000000_create_users.sql", kCreateUsers);
  add("20240102000000_add_email.sql", kAddEmail);
  add("20240103000000_add_age.sql",
      "-- ficus:up\nALTER TABLE users ADD COLUMN age INT;\n-- ficus:down\nALTER TABLE users DROP "
      "COLUMN age;\n");
  up();
  EXPECT_EQ(down(1, "20240101000000"), 2);
  EXPECT_EQ(versions(), std::vector<std::string>{"20240101000000"});
}

TEST_F(SqliteRunner, DownRefusesAMigrationWithoutDownStatements) {
  add("20240101000000_create_users.sql", "-- ficus:up\nCREATE TABLE users (id INT);\n");
  up();
  std::string error = error_of([&] { down(1); });
  EXPECT_NE(error.find("20240101000000_create_users.sql"), std::string::npos) << error;
  EXPECT_NE(error.find("no `-- ficus:down`"), std::string::npos) << error;
  EXPECT_EQ(versions().size(), 1u);
}

TEST_F(SqliteRunner, FailedStatementRollsBackTheWholeMigrationAndNamesFileLineStatement) {
  add("20240101000000_create_users.sql", kCreateUsers);
  std::string path = add("20240102000000_broken.sql",
                         "-- ficus:up\nCREATE TABLE audit (id INT);\n\nINSERT INTO missing_table "
                         "VALUES (1);\n");
  std::string error = error_of([&] { up(); });
  EXPECT_NE(error.find(path + ":4:"), std::string::npos) << error;
  EXPECT_NE(error.find("no such table: missing_table"), std::string::npos) << error;
  EXPECT_NE(error.find("INSERT INTO missing_table VALUES (1)"), std::string::npos) << error;
  EXPECT_NE(error.find("rolled back"), std::string::npos) << error;
  // The first migration stays applied; the broken one left neither history nor its table.
  EXPECT_EQ(versions(), std::vector<std::string>{"20240101000000"});
  EXPECT_TRUE(query("SELECT name FROM sqlite_master WHERE name = 'audit'").empty());
}

TEST_F(SqliteRunner, FailedNoTransactionMigrationIsRecordedAndBlocksUpUntilRetried) {
  std::string path = add("20240101000000_half.sql",
                         "-- ficus:no-transaction\n-- ficus:up\nCREATE TABLE IF NOT EXISTS a (id "
                         "INT);\nINSERT INTO b VALUES (1);\n");
  std::string error = error_of([&] { up(); });
  EXPECT_NE(error.find(path + ":4:"), std::string::npos) << error;
  EXPECT_NE(error.find("--retry-failed"), std::string::npos) << error;
  EXPECT_FALSE(query("SELECT name FROM sqlite_master WHERE name = 'a'").empty());
  EXPECT_TRUE(versions().empty());

  std::string blocked = error_of([&] { up(); });
  EXPECT_NE(blocked.find("failed midway"), std::string::npos) << blocked;

  query("CREATE TABLE b (id INT)");  // the repair
  RunOptions o = options();
  o.retry_failed = true;
  EXPECT_EQ(up(o), 1);
  EXPECT_EQ(versions().size(), 1u);
}

TEST_F(SqliteRunner, GateRefusalAppliesNothingAndSaysWhy) {
  add("20240101000000_create_users.sql", kCreateUsers);
  add("20240102000000_drop_name.sql",
      "-- ficus:phase contract\n-- ficus:up\nALTER TABLE users DROP COLUMN name;\n");
  RunOptions o = options();
  std::vector<std::string> asked;
  o.gate = [&](const MigrationInfo& m) {
    asked.push_back(m.version + ":" + std::string(phase_name(m.phase)));
    return m.phase == Phase::kContract ? GateDecision::refuse("route /users is at 40 % new")
                                       : GateDecision::allow();
  };
  std::string error = error_of([&] { up(o); });
  EXPECT_NE(error.find("route /users is at 40 % new"), std::string::npos) << error;
  EXPECT_EQ(asked, (std::vector<std::string>{"20240101000000:expand", "20240102000000:contract"}));
  EXPECT_TRUE(versions().empty());
}

TEST_F(SqliteRunner, EditedAppliedFileIsDriftThatBlocksUpUnlessAllowed) {
  add("20240101000000_create_users.sql", kCreateUsers);
  up();
  add("20240101000000_create_users.sql", std::string(kCreateUsers) + "-- edited\n");
  add("20240102000000_add_email.sql", kAddEmail);
  std::string error = error_of([&] { up(); });
  EXPECT_NE(error.find("edited"), std::string::npos) << error;
  EXPECT_EQ(versions().size(), 1u);
  RunOptions o = options();
  o.allow_drift = true;
  EXPECT_EQ(up(o), 1);
}

TEST_F(SqliteRunner, PendingMigrationOlderThanNewestAppliedIsOutOfOrderDrift) {
  add("20240102000000_create_users.sql", kCreateUsers);
  up();
  add("20240101000000_early.sql", "-- ficus:up\nCREATE TABLE early (id INT);\n");
  std::string error = error_of([&] { up(); });
  EXPECT_NE(error.find("out of order"), std::string::npos) << error;
  EXPECT_NE(error.find("20240101000000_early.sql"), std::string::npos) << error;
}

TEST_F(SqliteRunner, AppliedMigrationWhoseFileIsGoneIsMissingDrift) {
  std::string path = add("20240101000000_create_users.sql", kCreateUsers);
  up();
  std::filesystem::remove(path);
  add("20240102000000_add_email.sql", kAddEmail);
  std::string error = error_of([&] { up(); });
  EXPECT_NE(error.find("missing: 20240101000000_create_users is applied but its file is gone"),
            std::string::npos)
      << error;
  EXPECT_EQ(versions(), std::vector<std::string>{"20240101000000"});
  RunOptions o = options();
  o.allow_drift = true;
  EXPECT_EQ(up(o), 1);
}

TEST_F(SqliteRunner, BaselineRecordsWithoutRunning) {
  add("20240101000000_create_users.sql", kCreateUsers);
  add("20240102000000_add_email.sql", kAddEmail);
  auto db = open_driver(sqlite_.url());
  EXPECT_EQ(Runner(*db, options(), out_).baseline("20240101000000"), 1);
  EXPECT_EQ(versions(), std::vector<std::string>{"20240101000000"});
  EXPECT_TRUE(query("SELECT name FROM sqlite_master WHERE name = 'users'").empty());
  EXPECT_NE(error_of([&] {
              Runner(*db, options(), out_).baseline("20990101000000");
            }).find("no migration file"),
            std::string::npos);
}

TEST_F(SqliteRunner, AppliedOnAFreshDatabaseIsEmptyAndCreatesNothing) {
  EXPECT_TRUE(applied(sqlite_.url()).empty());
  EXPECT_TRUE(query("SELECT name FROM sqlite_master").empty());
}

TEST_F(SqliteRunner, LockTimeoutIsRetriedThenFailsCleanly) {
  add("20240101000000_create_users.sql", kCreateUsers);
  EXPECT_EQ(up(), 1);  // history exists, so the next run gets as far as the migration itself
  add("20240102000000_add_email.sql", kAddEmail);
  // Another writer holds SQLite's write lock (readers still get through).
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(sqlite_.path().c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  RunOptions o = options();
  o.lock_timeout_ms = 20;
  o.lock_retries = 2;
  std::string error = error_of([&] { up(o); });
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  EXPECT_NE(error.find("20240102000000_add_email.sql:2: database is locked"), std::string::npos)
      << error;
  EXPECT_NE(error.find("lock_timeout of 20 ms"), std::string::npos) << error;
  EXPECT_NE(error.find("gave up after 3 attempts"), std::string::npos) << error;
  EXPECT_NE(error.find("history is unchanged"), std::string::npos) << error;
  EXPECT_NE(out_.str().find("retry 1/2"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("retry 2/2"), std::string::npos) << out_.str();
  EXPECT_EQ(versions(), std::vector<std::string>{"20240101000000"});
  EXPECT_EQ(up(o), 1);
}

TEST_F(SqliteRunner, LockHeldBeforeTheRunnerStartsFailsNamingTheLockTimeout) {
  add("20240101000000_create_users.sql", kCreateUsers);
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(sqlite_.path().c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  RunOptions o = options();
  o.lock_timeout_ms = 20;
  std::string error = error_of([&] { up(o); });
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  EXPECT_NE(error.find("database is locked"), std::string::npos) << error;
  EXPECT_NE(error.find("lock_timeout of 20 ms"), std::string::npos) << error;
  EXPECT_EQ(up(o), 1);
}

// A statement that would run for many seconds (the count alone takes 4 s or more on a fast
// machine), so the test fails rather than passes if the timeout is not enforced.
constexpr const char* kSlowCount =
    "INSERT INTO counted WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < "
    "20000000) SELECT max(n) FROM c;\n";

TEST_F(SqliteRunner, StatementTimeoutStopsALongStatementAndRollsBack) {
  add("20240101000000_create_users.sql", kCreateUsers);
  add("20240102000000_slow.sql",
      std::string("-- ficus:up\nCREATE TABLE counted (n INTEGER);\n") + kSlowCount);
  RunOptions o = options();
  o.statement_timeout_ms = 100;
  std::string error = error_of([&] { up(o); });
  EXPECT_NE(error.find("20240102000000_slow.sql:3: statement timeout"), std::string::npos) << error;
  EXPECT_NE(error.find("100 ms"), std::string::npos) << error;
  EXPECT_NE(error.find("--statement-timeout"), std::string::npos) << error;
  EXPECT_NE(error.find("rolled back; history is unchanged"), std::string::npos) << error;
  EXPECT_EQ(versions(), std::vector<std::string>{"20240101000000"});
  EXPECT_TRUE(query("SELECT name FROM sqlite_master WHERE name = 'counted'").empty());
}

TEST_F(SqliteRunner, StatementTimeoutDirectiveAppliesToItsMigrationOnly) {
  add("20240101000000_quick.sql",
      "-- ficus:statement-timeout 50ms\n-- ficus:up\nCREATE TABLE quick (n INTEGER);\n");
  // Well over 50 ms (2 million rows), with no timeout of its own and none given to the runner.
  add("20240102000000_long_enough.sql",
      "-- ficus:up\nCREATE TABLE warmed (n INTEGER);\n"
      "INSERT INTO warmed WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n "
      "< 2000000) SELECT max(n) FROM c;\n");
  add("20240103000000_slow.sql",
      std::string("-- ficus:statement-timeout 50ms\n-- ficus:up\nCREATE TABLE counted (n "
                  "INTEGER);\n") +
          kSlowCount);
  std::string error = error_of([&] { up(); });
  EXPECT_NE(error.find("20240103000000_slow.sql:4: statement timeout"), std::string::npos) << error;
  EXPECT_NE(error.find("50 ms"), std::string::npos) << error;
  EXPECT_EQ(versions(), (std::vector<std::string>{"20240101000000", "20240102000000"}));
  EXPECT_EQ(query("SELECT n FROM warmed"), std::vector<Row>{Row{Value("2000000")}});
  EXPECT_TRUE(query("SELECT name FROM sqlite_master WHERE name = 'counted'").empty());
}

}  // namespace
}  // namespace ficus::migrations
