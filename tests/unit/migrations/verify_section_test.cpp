// `-- ficus:verify` sections: parsing, and checks after `up` on real SQLite files (a failing
// check rolls the migration back and is named with what it returned).
#include <gtest/gtest.h>

#include <sstream>

#include "migrations/runner/driver.h"
#include "migrations/runner/history.h"
#include "migrations/runner/runner.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::migrations {
namespace {

constexpr const char* kCreateUsers =
    "-- ficus:up\nCREATE TABLE users (id INTEGER PRIMARY KEY, status TEXT);\n"
    "INSERT INTO users (id, status) VALUES (1, 'active'), (2, NULL), (3, NULL);\n"
    "-- ficus:down\nDROP TABLE users;\n";

class VerifySection : public ::testing::Test {
 protected:
  RunOptions options() const {
    RunOptions o;
    o.dir = dir_.path() + "/migrations";
    return o;
  }
  std::string up_error() {
    auto db = open_driver(sqlite_.url());
    try {
      Runner(*db, options(), out_).up();
    } catch (const MigrationError& e) {
      return e.what();
    }
    return "";
  }
  std::vector<Row> query(const std::string& sql) { return open_driver(sqlite_.url())->query(sql); }

  testing::TempDir dir_;
  testing::TempSqlite sqlite_;
  std::ostringstream out_;
};

TEST(VerifySectionParse, VerifyBetweenUpAndDownIsItsOwnSection) {
  MigrationFile f = parse_migration_file(
      "20240101000000_x.sql",
      "-- ficus:up\nUPDATE t SET a = 1;\n-- ficus:verify\nSELECT id FROM t WHERE a IS NULL;\n"
      "-- ficus:down\nSELECT 1;\n");
  EXPECT_TRUE(f.verify.present);
  EXPECT_EQ(f.verify.first_line, 4u);
  EXPECT_EQ(f.verify.sql, "SELECT id FROM t WHERE a IS NULL;\n");
  EXPECT_EQ(f.up.sql, "UPDATE t SET a = 1;\n");
  EXPECT_EQ(f.down.sql, "SELECT 1;\n");
}

TEST(VerifySectionParse, VerifyAfterDownIsAccepted) {
  MigrationFile f =
      parse_migration_file("20240101000000_x.sql",
                           "-- ficus:up\nSELECT 1;\n-- ficus:down\nSELECT 2;\n-- ficus:verify\n"
                           "SELECT 3;\n");
  EXPECT_EQ(f.down.sql, "SELECT 2;\n");
  EXPECT_EQ(f.verify.sql, "SELECT 3;\n");
}

TEST(VerifySectionParse, VerifyBeforeUpIsAnError) {
  EXPECT_THROW(parse_migration_file("20240101000000_x.sql", "-- ficus:verify\nSELECT 1;\n"),
               MigrationError);
}

TEST_F(VerifySection, FailingCheckRollsBackAndNamesQueryAndRows) {
  dir_.write("migrations/20240101000000_users.sql",
             std::string(kCreateUsers) +
                 "-- ficus:verify\nSELECT id FROM users WHERE status IS NULL LIMIT 5;\n");
  std::string error = up_error();
  EXPECT_NE(error.find("20240101000000_users.sql:7"), std::string::npos) << error;
  EXPECT_NE(error.find("SELECT id FROM users WHERE status IS NULL"), std::string::npos) << error;
  EXPECT_NE(error.find("2 row(s): (2) (3)"), std::string::npos) << error;
  EXPECT_NE(error.find("rolled back"), std::string::npos) << error;
  EXPECT_TRUE(query("SELECT 1 FROM sqlite_master WHERE name = 'users'").empty());
  EXPECT_TRUE(applied(sqlite_.url()).empty());
}

TEST_F(VerifySection, PassingChecksLetTheMigrationCommit) {
  dir_.write("migrations/20240101000000_users.sql",
             std::string(kCreateUsers) +
                 "-- ficus:verify\nSELECT id FROM users WHERE id > 100;\n"
                 "SELECT count(*) = 3 FROM users;\n");
  EXPECT_EQ(up_error(), "");
  EXPECT_EQ(applied(sqlite_.url()).size(), 1u);
}

TEST_F(VerifySection, OneFalseValueFails) {
  dir_.write("migrations/20240101000000_users.sql",
             std::string(kCreateUsers) + "-- ficus:verify\nSELECT count(*) = 0 FROM users;\n");
  std::string error = up_error();
  EXPECT_NE(error.find("1 row(s): (0)"), std::string::npos) << error;
  EXPECT_TRUE(applied(sqlite_.url()).empty());
}

TEST_F(VerifySection, NoTransactionMigrationIsRecordedAsFailed) {
  dir_.write("migrations/20240101000000_users.sql",
             "-- ficus:no-transaction\n" + std::string(kCreateUsers) +
                 "-- ficus:verify\nSELECT id FROM users WHERE status IS NULL;\n");
  std::string error = up_error();
  EXPECT_NE(error.find("recorded as failed"), std::string::npos) << error;
  auto db = open_driver(sqlite_.url());
  History history(*db);
  ASSERT_EQ(history.failures().size(), 1u);
  EXPECT_NE(history.failures()[0].error.find("verify"), std::string::npos);
}

}  // namespace
}  // namespace ficus::migrations
