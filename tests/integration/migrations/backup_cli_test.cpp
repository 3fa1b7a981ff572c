// `ficus migrate up --backup`, `backups` and `restore` end to end (the test-only CLI binary) on
// real PostgreSQL and SQLite: a restore brings back exactly the rows of the backup and removes
// what was created after it.
#include <gtest/gtest.h>

#include <filesystem>

#include "migrations/runner/driver.h"
#include "migrations/runner/history.h"
#include "tests/support/db/pg_server.h"
#include "tests/support/db/process.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::migrations {
namespace {

using testing::ProcessResult;
using testing::run_process;

constexpr const char* kCreateUsers =
    "-- ficus:up\nCREATE TABLE users (id integer PRIMARY KEY, name text, note text);\n"
    "INSERT INTO users VALUES (1, 'ada', NULL), (2, 'grace', 'line1\nline2'), (3, 'ünï', '');\n"
    "-- ficus:down\nDROP TABLE users;\n";
constexpr const char* kRewrite =
    "-- ficus:up\nUPDATE users SET name = 'overwritten' WHERE id > 0;\nDELETE FROM users WHERE id "
    "= 3;\nCREATE TABLE extra (id integer);\n-- ficus:down\nDROP TABLE extra;\n";

class BackupCli : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    url_ = GetParam() ? testing::PgEnvironment::server().create_database()
                      : "sqlite:" + tmp_.path() + "/app.db";
  }
  ProcessResult migrate(std::vector<std::string> args, std::vector<std::string> env = {}) {
    std::vector<std::string> argv = {"env", "-u", "DATABASE_URL", "-u", "FICUS_CONFIG"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {FICUS_MIGRATE_CLI, "migrate"});
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--db", url_, "--dir", tmp_.path() + "/migrations"});
    return run_process(argv);
  }
  std::vector<Row> users() {
    return open_driver(url_)->query("SELECT id, name, note FROM users ORDER BY id");
  }
  bool has_table(const std::string& name) {
    auto db = open_driver(url_);
    if (db->dialect() == Dialect::kPostgres)
      return db->query("SELECT to_regclass('" + name + "') IS NOT NULL").at(0).at(0) == "t";
    return !db->query("SELECT 1 FROM sqlite_master WHERE name = '" + name + "'").empty();
  }

  testing::TempDir tmp_;
  std::string url_;
};

TEST_P(BackupCli, RestoreBringsBackTheExactRowsAndDropsLaterObjects) {
  std::string backups = tmp_.path() + "/backups";
  tmp_.write("migrations/20240101000000_users.sql", kCreateUsers);
  ProcessResult first = migrate({"up", "--backup", backups});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("backup " + backups), std::string::npos) << first.output;
  std::vector<Row> original = users();
  ASSERT_EQ(original.size(), 3u);

  tmp_.write("migrations/20240102000000_rewrite.sql", kRewrite);
  ProcessResult second = migrate({"up", "--backup", backups});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  ASSERT_NE(users(), original);
  ASSERT_TRUE(has_table("extra"));

  ProcessResult list = migrate({"backups"});
  ASSERT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find("2 backup(s)"), std::string::npos) << list.output;
  EXPECT_NE(list.output.find("before 20240102000000"), std::string::npos) << list.output;

  ProcessResult refused = migrate({"restore"});
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(users(), original);

  ProcessResult restored = migrate({"restore", "--yes"});
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_NE(restored.output.find("replaced: newest applied 20240102000000_rewrite, 2 applied"),
            std::string::npos)
      << restored.output;
  EXPECT_NE(restored.output.find("now:      newest applied 20240101000000_users, 1 applied"),
            std::string::npos)
      << restored.output;
  EXPECT_EQ(users(), original);
  EXPECT_FALSE(has_table("extra"));
  EXPECT_EQ(applied(url_).size(), 1u);
  // The backups taken after the restored one are still listed.
  EXPECT_NE(migrate({"backups"}).output.find("2 backup(s)"), std::string::npos);
}

TEST_P(BackupCli, RestoreRefusesABackupEditedSinceItWasTaken) {
  std::string backups = tmp_.path() + "/backups";
  tmp_.write("migrations/20240101000000_users.sql", kCreateUsers);
  ASSERT_EQ(migrate({"up", "--backup", backups}).exit_code, 0);
  std::string file = std::filesystem::directory_iterator(backups)->path().string();
  {
    std::FILE* f = std::fopen(file.c_str(), "ab");
    std::fputs("tampered", f);
    std::fclose(f);
  }
  ProcessResult r = migrate({"restore", "--yes"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("has changed since it was taken"), std::string::npos) << r.output;
  EXPECT_EQ(users().size(), 3u);
}

TEST_P(BackupCli, BackupDirAndToolsComeFromTheMigrateConfig) {
  std::string backups = tmp_.path() + "/from-config";
  std::string config =
      tmp_.write("ficus.json", R"({"listen": "ignored", "migrate": {"backup_dir": ")" + backups +
                                   R"(", "pg_dump": "/usr/lib/postgresql/15/bin/pg_dump"}})");
  tmp_.write("migrations/20240101000000_users.sql", kCreateUsers);
  ProcessResult r = migrate({"up"}, {"FICUS_CONFIG=" + config});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(backups)) << r.output;
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(backups), {}), 1);
}

TEST_P(BackupCli, UnknownMigrateConfigKeyIsAnError) {
  std::string config = tmp_.write("ficus.json", R"({"migrate": {"backupdir": "/x"}})");
  ProcessResult r = migrate({"status", "--config", config});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("unknown key migrate.backupdir"), std::string::npos) << r.output;
}

INSTANTIATE_TEST_SUITE_P(PostgresAndSqlite, BackupCli, ::testing::Bool(),
                         [](const auto& p) { return p.param ? "Postgres" : "Sqlite"; });

}  // namespace
}  // namespace ficus::migrations
