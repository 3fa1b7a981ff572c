// End-to-end runs of `ficus migrate ...` as separate processes (the test-only CLI binary), on
// SQLite files and on the shared PostgreSQL server: exit codes, output, and two concurrent runners.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "migrations/runner/history.h"
#include "tests/support/db/pg_server.h"
#include "tests/support/db/process.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::migrations {
namespace {

using testing::ProcessResult;
using testing::run_process;

class MigrateCli : public ::testing::Test {
 protected:
  std::string dir() const { return tmp_.path() + "/migrations"; }
  void add(const std::string& file, const std::string& text) {
    tmp_.write("migrations/" + file, text);
  }
  // `ficus migrate ARGS --dir DIR`, with DATABASE_URL unset unless given.
  std::vector<std::string> command(std::vector<std::string> args) const {
    std::vector<std::string> argv = {
        "env", "-u", "DATABASE_URL", "--chdir=" + tmp_.path(), FICUS_MIGRATE_CLI, "migrate"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--dir", dir()});
    return argv;
  }
  ProcessResult migrate(std::vector<std::string> args) { return run_process(command(args)); }

  testing::TempDir tmp_;
};

TEST_F(MigrateCli, NewCreatesAUtcVersionedFileWithUpAndDownSections) {
  ProcessResult r = migrate({"new", "add_email"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir())) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  std::string name = files[0].filename().string();
  EXPECT_EQ(name.size(), std::string("20240101000000_add_email.sql").size()) << name;
  EXPECT_TRUE(name.ends_with("_add_email.sql")) << name;
  std::string text = tmp_.read("migrations/" + name);
  EXPECT_NE(text.find("-- ficus:up"), std::string::npos);
  EXPECT_NE(text.find("-- ficus:down"), std::string::npos);
  EXPECT_EQ(migrate({"new", "Bad-Name"}).exit_code, 1);
}

TEST_F(MigrateCli, DefaultDatabaseIsSqliteFicusDbInTheWorkingDirectory) {
  add("20240101000000_create_t.sql", "-- ficus:up\nCREATE TABLE t (id INT);\n");
  ProcessResult r = migrate({"up"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(applied("sqlite:" + tmp_.path() + "/ficus.db").size(), 1u);
}

TEST_F(MigrateCli, StatusUpStatusDownOnSqlite) {
  std::string db = "sqlite:" + tmp_.path() + "/app.db";
  add("20240101000000_create_t.sql",
      "-- ficus:up\nCREATE TABLE t (id INT);\n-- ficus:down\nDROP TABLE t;\n");
  ProcessResult before = migrate({"status", "--db", db, "--exit-code"});
  EXPECT_EQ(before.exit_code, 1) << before.output;
  EXPECT_NE(before.output.find("pending  20240101000000_create_t"), std::string::npos)
      << before.output;
  ProcessResult up = migrate({"up", "--db", db});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_NE(up.output.find("applied 20240101000000_create_t"), std::string::npos) << up.output;
  ProcessResult after = migrate({"status", "--db", db, "--exit-code"});
  EXPECT_EQ(after.exit_code, 0) << after.output;
  EXPECT_NE(after.output.find("applied  20240101000000_create_t"), std::string::npos)
      << after.output;
  ProcessResult down = migrate({"down", "--db", db});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  EXPECT_TRUE(applied(db).empty());
}

TEST_F(MigrateCli, DatabaseUrlComesFromTheEnvironmentWhenNoFlag) {
  std::string db = "sqlite:" + tmp_.path() + "/env.db";
  add("20240101000000_create_t.sql", "-- ficus:up\nCREATE TABLE t (id INT);\n");
  std::vector<std::string> argv = {
      "env", "DATABASE_URL=" + db, FICUS_MIGRATE_CLI, "migrate", "up", "--dir", dir()};
  ProcessResult r = run_process(argv);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(applied(db).size(), 1u);
}

TEST_F(MigrateCli, LintExitsNonZeroAndGroupsFindingsPerFile) {
  add("20240101000000_index.sql", "-- ficus:up\nCREATE INDEX i ON users (email);\n");
  add("20240102000000_safe.sql", "-- ficus:up\nALTER TABLE users ADD COLUMN a text;\n");
  add("20240103000000_rename.sql", "-- ficus:up\nALTER TABLE users RENAME TO people;\n");
  ProcessResult text = migrate({"lint"});
  EXPECT_EQ(text.exit_code, 1) << text.output;
  EXPECT_NE(
      text.output.find("20240101000000_index.sql:2: error [require-concurrent-index-creation]"),
      std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("20240103000000_rename.sql:2: error [renaming-table]"),
            std::string::npos)
      << text.output;
  EXPECT_EQ(text.output.find("20240102000000_safe.sql"), std::string::npos) << text.output;

  ProcessResult json = migrate({"lint", "--format", "json"});
  EXPECT_EQ(json.exit_code, 1);
  auto parsed = nlohmann::json::parse(json.output);
  EXPECT_EQ(parsed["errors"], 2);
  EXPECT_EQ(parsed["files"].size(), 2u);
}

TEST_F(MigrateCli, LintOfACleanFileExitsZero) {
  std::string path = tmp_.write("one.sql", "-- ficus:up\nCREATE TABLE t (id int);\n");
  ProcessResult r = migrate({"lint", path});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("0 error(s)"), std::string::npos) << r.output;
}

TEST_F(MigrateCli, VerifyReportsAnEditedAppliedFile) {
  std::string db = "sqlite:" + tmp_.path() + "/app.db";
  add("20240101000000_create_t.sql", "-- ficus:up\nCREATE TABLE t (id INT);\n");
  ASSERT_EQ(migrate({"up", "--db", db}).exit_code, 0);
  EXPECT_EQ(migrate({"verify", "--db", db}).exit_code, 0);
  add("20240101000000_create_t.sql", "-- ficus:up\nCREATE TABLE t (id INT, x INT);\n");
  ProcessResult r = migrate({"verify", "--db", db});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("edited:"), std::string::npos) << r.output;
}

class MigrateCliPg : public MigrateCli {
 protected:
  void SetUp() override { url_ = testing::PgEnvironment::server().create_database(); }
  std::string url_;
};

TEST_F(MigrateCliPg, UpRefusesErrorLevelLintFindingsUnlessAllowUnsafe) {
  add("20240101000000_create.sql", "-- ficus:up\nCREATE TABLE users (id bigint, email text);\n");
  add("20240102000000_index.sql", "-- ficus:up\nCREATE INDEX i ON users (email);\n");
  ProcessResult refused = migrate({"up", "--db", url_});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("require-concurrent-index-creation"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("--allow-unsafe"), std::string::npos) << refused.output;
  EXPECT_TRUE(applied(url_).empty());
  ProcessResult forced = migrate({"up", "--db", url_, "--allow-unsafe"});
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_EQ(applied(url_).size(), 2u);
}

TEST_F(MigrateCliPg, StatementTimeoutComesFromTheConfigUnlessAFlagGivesOne) {
  add("20240101000000_slow.sql", "-- ficus:up\nSELECT pg_sleep(3);\n");
  const std::string config =
      tmp_.write("ficus.json", R"({"migrate": {"statement_timeout_ms": 100}})");
  ProcessResult stopped = migrate({"up", "--db", url_, "--config", config});
  EXPECT_EQ(stopped.exit_code, 1) << stopped.output;
  EXPECT_NE(stopped.output.find("statement_timeout of 100 ms"), std::string::npos)
      << stopped.output;
  EXPECT_TRUE(applied(url_).empty());
  ProcessResult flag_wins =
      migrate({"up", "--db", url_, "--config", config, "--statement-timeout", "0"});
  EXPECT_EQ(flag_wins.exit_code, 0) << flag_wins.output;
  EXPECT_EQ(applied(url_).size(), 1u);
}

TEST_F(MigrateCliPg, PlanShowsStatementsLocksFindingsAndRunsNothing) {
  add("20240101000000_create.sql", "-- ficus:up\nCREATE TABLE users (id bigint, email text);\n");
  ASSERT_EQ(migrate({"up", "--db", url_}).exit_code, 0);
  add("20240102000000_index.sql",
      "-- ficus:up\nALTER TABLE users ADD COLUMN name text;\nCREATE INDEX i ON users (email);\n");
  ProcessResult r = migrate({"plan", "--db", url_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("transaction: yes"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("lock: ACCESS EXCLUSIVE on users"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("lock: SHARE on users"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[require-concurrent-index-creation]"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("would refuse"), std::string::npos) << r.output;
  EXPECT_EQ(applied(url_).size(), 1u);
  auto rows = [&] {
    PGconn* c = PQconnectdb(url_.c_str());
    PGresult* res = PQexec(c,
                           "SELECT count(*) FROM information_schema.columns WHERE table_name = "
                           "'users' AND column_name = 'name'");
    std::string n = PQgetvalue(res, 0, 0);
    PQclear(res);
    PQfinish(c);
    return n;
  };
  EXPECT_EQ(rows(), "0");
}

bool runner_lock_held(const std::string& url) {
  PGconn* c = PQconnectdb(url.c_str());
  PGresult* r = PQexec(c, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted");
  bool held = PQresultStatus(r) == PGRES_TUPLES_OK && std::string(PQgetvalue(r, 0, 0)) != "0";
  PQclear(r);
  PQfinish(c);
  return held;
}

TEST_F(MigrateCliPg, SecondRunnerWaitsForTheFirstAndThenFindsNothingToApply) {
  add("20240101000000_slow.sql", "-- ficus:up\nCREATE TABLE t (id int);\nSELECT pg_sleep(1.5);\n");
  std::string log_a = tmp_.path() + "/a.log";
  std::string log_b = tmp_.path() + "/b.log";
  pid_t a = testing::start_process(command({"up", "--db", url_}), log_a);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!runner_lock_held(url_) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  pid_t b = testing::start_process(command({"up", "--db", url_}), log_b);
  EXPECT_EQ(testing::wait_process(a), 0) << tmp_.read("a.log");
  EXPECT_EQ(testing::wait_process(b), 0) << tmp_.read("b.log");
  EXPECT_NE(tmp_.read("a.log").find("applied 20240101000000_slow"), std::string::npos);
  EXPECT_NE(tmp_.read("b.log").find("waiting for the migration lock"), std::string::npos)
      << tmp_.read("b.log");
  EXPECT_NE(tmp_.read("b.log").find("nothing to apply"), std::string::npos) << tmp_.read("b.log");
  EXPECT_EQ(applied(url_).size(), 1u);
}

TEST_F(MigrateCliPg, SecondRunnerWithNoWaitFailsFast) {
  add("20240101000000_slow.sql", "-- ficus:up\nSELECT pg_sleep(2);\n");
  std::string log_a = tmp_.path() + "/a.log";
  pid_t a = testing::start_process(command({"up", "--db", url_}), log_a);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!runner_lock_held(url_) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto started = std::chrono::steady_clock::now();
  ProcessResult b = migrate({"up", "--db", url_, "--no-wait"});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(b.exit_code, 1) << b.output;
  EXPECT_NE(b.output.find("holds the migration lock"), std::string::npos) << b.output;
  EXPECT_LT(took, std::chrono::milliseconds(1500));
  EXPECT_EQ(testing::wait_process(a), 0) << tmp_.read("a.log");
}

}  // namespace
}  // namespace ficus::migrations

namespace ficus::migrations {
namespace {

std::string pg_scalar(const std::string& url, const std::string& sql) {
  PGconn* c = PQconnectdb(url.c_str());
  PGresult* r = PQexec(c, sql.c_str());
  std::string value = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0
                          ? PQgetvalue(r, 0, 0)
                          : "error: " + std::string(PQerrorMessage(c));
  PQclear(r);
  PQfinish(c);
  return value;
}

TEST_F(MigrateCliPg, BackfillKilledMidwayResumesWithoutUpdatingAnyRowTwice) {
  add("20240101000000_items.sql",
      "-- ficus:up\nCREATE TABLE items (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0);\n"
      "INSERT INTO items (id) SELECT generate_series(1, 400);\n");
  ASSERT_EQ(migrate({"up", "--db", url_}).exit_code, 0);
  add("20240102000000_fill.sql",
      "-- ficus:phase backfill\n-- ficus:up\n-- ficus:batch key=id size=20 sleep_ms=40\n"
      "UPDATE items SET n = n + 1;\n");
  std::string log = tmp_.path() + "/first.log";
  pid_t first = testing::start_process(command({"up", "--db", url_}), log);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string done =
        pg_scalar(url_, "SELECT coalesce(max(rows_done), 0) FROM ficus_backfill_progress");
    if (!done.starts_with("error") && std::stoi(done) >= 60) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(first, SIGKILL);
  EXPECT_EQ(testing::wait_process(first), 128 + SIGKILL);
  std::string done_at_kill = pg_scalar(url_, "SELECT rows_done FROM ficus_backfill_progress");
  ASSERT_LT(std::stoi(done_at_kill), 400) << "the backfill finished before it was killed";
  EXPECT_EQ(applied(url_).size(), 1u);

  ProcessResult second = migrate({"up", "--db", url_});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(second.output.find("resuming after key"), std::string::npos) << second.output;
  EXPECT_EQ(pg_scalar(url_, "SELECT count(*) FROM items WHERE n <> 1"), "0");
  EXPECT_EQ(pg_scalar(url_, "SELECT count(*) FROM ficus_backfill_progress"), "0");
  EXPECT_EQ(applied(url_).size(), 2u);
}

}  // namespace
}  // namespace ficus::migrations
