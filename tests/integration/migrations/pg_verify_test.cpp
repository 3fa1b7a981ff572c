// `-- ficus:verify` on a real PostgreSQL: the checks run inside the migration's transaction, so a
// failing one rolls back the DDL and the data change with it.
#include <gtest/gtest.h>

#include <sstream>

#include "migrations/runner/driver.h"
#include "migrations/runner/history.h"
#include "migrations/runner/runner.h"
#include "tests/support/db/pg_server.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::migrations {
namespace {

class PgVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::PgEnvironment::server().create_database();
    open_driver(url_)->execute(
        "CREATE TABLE users (id bigint PRIMARY KEY, status text); INSERT INTO users VALUES (1, "
        "'active'), (2, NULL), (3, NULL)");
  }
  std::string up_error(const std::string& text) {
    tmp_.write("migrations/20240101000000_backfill.sql", text);
    RunOptions o;
    o.dir = tmp_.path() + "/migrations";
    std::ostringstream out;
    auto db = open_driver(url_);
    try {
      Runner(*db, o, out).up();
    } catch (const MigrationError& e) {
      return e.what();
    }
    return "";
  }
  std::vector<Row> query(const std::string& sql) { return open_driver(url_)->query(sql); }

  testing::TempDir tmp_;
  std::string url_;
};

TEST_F(PgVerify, FailingCheckRollsBackDdlAndDataAndNamesWhatItReturned) {
  std::string error = up_error(
      "-- ficus:up\nALTER TABLE users ADD COLUMN note text;\n"
      "UPDATE users SET status = 'active' WHERE id = 2;\n"
      "-- ficus:verify\nSELECT id FROM users WHERE status IS NULL LIMIT 5;\n");
  EXPECT_NE(error.find("20240101000000_backfill.sql:5"), std::string::npos) << error;
  EXPECT_NE(error.find("SELECT id FROM users WHERE status IS NULL LIMIT 5"), std::string::npos)
      << error;
  EXPECT_NE(error.find("1 row(s): (3)"), std::string::npos) << error;
  EXPECT_EQ(query("SELECT count(*) FROM users WHERE status IS NULL").at(0).at(0), "2");
  EXPECT_EQ(query("SELECT count(*) FROM information_schema.columns WHERE column_name = 'note'")
                .at(0)
                .at(0),
            "0");
  EXPECT_TRUE(applied(url_).empty());
}

TEST_F(PgVerify, PassingChecksCommitTheMigration) {
  std::string error = up_error(
      "-- ficus:up\nUPDATE users SET status = 'active' WHERE status IS NULL;\n"
      "-- ficus:verify\nSELECT id FROM users WHERE status IS NULL LIMIT 5;\n"
      "SELECT count(*) = 3 FROM users;\n");
  EXPECT_EQ(error, "");
  EXPECT_EQ(query("SELECT count(*) FROM users WHERE status IS NULL").at(0).at(0), "0");
  EXPECT_EQ(applied(url_).size(), 1u);
}

TEST_F(PgVerify, CheckThatDoesNotRunIsAFailureNamingTheQuery) {
  std::string error = up_error(
      "-- ficus:up\nUPDATE users SET status = 'active' WHERE status IS NULL;\n"
      "-- ficus:verify\nSELECT nope FROM users;\n");
  EXPECT_NE(error.find("verify query failed"), std::string::npos) << error;
  EXPECT_NE(error.find("SELECT nope FROM users"), std::string::npos) << error;
  EXPECT_EQ(query("SELECT count(*) FROM users WHERE status IS NULL").at(0).at(0), "2");
}

}  // namespace
}  // namespace ficus::migrations
