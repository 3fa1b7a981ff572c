// Runner behaviour against a real PostgreSQL 15: transactions, rollback, timeouts and retries.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <sstream>
#include <thread>

#include "migrations/runner/driver.h"
#include "migrations/runner/history.h"
#include "migrations/runner/runner.h"
#include "tests/support/db/pg_server.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::migrations {
namespace {

class PgRunner : public ::testing::Test {
 protected:
  void SetUp() override { url_ = testing::PgEnvironment::server().create_database(); }
  std::string add(const std::string& file, const std::string& text) {
    return dir_.write("migrations/" + file, text);
  }
  RunOptions options() const {
    RunOptions o;
    o.dir = dir_.path() + "/migrations";
    o.retry_backoff_ms = 10;
    return o;
  }
  int up(RunOptions o) {
    auto db = open_driver(url_);
    return Runner(*db, o, out_).up();
  }
  int up() { return up(options()); }
  std::string up_error(RunOptions o) {
    try {
      up(o);
    } catch (const MigrationError& e) {
      return e.what();
    }
    return "";
  }
  std::vector<Row> query(const std::string& sql) { return open_driver(url_)->query(sql); }
  std::vector<std::string> versions() {
    std::vector<std::string> out;
    for (const AppliedMigration& a : applied(url_)) out.push_back(a.version);
    return out;
  }

  std::string url_;
  testing::TempDir dir_;
  std::ostringstream out_;
};

TEST_F(PgRunner, UpThenDownRoundTripsSchemaAndHistory) {
  add("20240101000000_create_users.sql",
      "-- ficus:up\nCREATE TABLE users (id bigint PRIMARY KEY);\n-- ficus:down\nDROP TABLE "
      "users;\n");
  add("20240102000000_add_email.sql",
      "-- ficus:phase expand\n-- ficus:up\nALTER TABLE users ADD COLUMN email text;\n"
      "-- ficus:down\nALTER TABLE users DROP COLUMN email;\n");
  EXPECT_EQ(up(), 2);
  EXPECT_EQ(versions(), (std::vector<std::string>{"20240101000000", "20240102000000"}));
  EXPECT_EQ(applied(url_)[1].phase, "expand");
  EXPECT_NO_THROW(query("SELECT email FROM users"));
  auto db = open_driver(url_);
  EXPECT_EQ(Runner(*db, options(), out_).down(2, std::nullopt), 2);
  EXPECT_TRUE(versions().empty());
  EXPECT_EQ(query("SELECT to_regclass('users')::text").at(0).at(0), std::nullopt);
}

TEST_F(PgRunner, FailureRollsBackEveryStatementAndNamesFileLineStatement) {
  std::string path = add("20240101000000_broken.sql",
                         "-- ficus:up\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n"
                         "SELECT *\n  FROM no_such_table;\n");
  std::string error = up_error(options());
  EXPECT_NE(error.find(path + ":5:"), std::string::npos) << error;
  EXPECT_NE(error.find("relation \"no_such_table\" does not exist"), std::string::npos) << error;
  EXPECT_NE(error.find("SELECT * FROM no_such_table"), std::string::npos) << error;
  EXPECT_TRUE(versions().empty());
  EXPECT_EQ(query("SELECT to_regclass('a')::text").at(0).at(0), std::nullopt);
}

TEST_F(PgRunner, CreateIndexConcurrentlyRunsInANoTransactionMigration) {
  add("20240101000000_create_users.sql",
      "-- ficus:up\nCREATE TABLE users (id bigint, email text);\n");
  add("20240102000000_index_email.sql",
      "-- ficus:no-transaction\n-- ficus:up\nCREATE INDEX CONCURRENTLY users_email_idx ON users "
      "(email);\n-- ficus:down\nDROP INDEX CONCURRENTLY users_email_idx;\n");
  EXPECT_EQ(up(), 2);
  EXPECT_EQ(query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass")
                .at(0)
                .at(0),
            "t");
}

// Holds an ACCESS SHARE lock on `table` in an open transaction from a second connection, the way
// a long-running report query would.
class LockHolder {
 public:
  LockHolder(const std::string& url, const std::string& table) : conn_(PQconnectdb(url.c_str())) {
    PQclear(PQexec(conn_, "BEGIN"));
    PQclear(PQexec(conn_, ("SELECT * FROM " + table).c_str()));
  }
  void release() {
    if (conn_) PQclear(PQexec(conn_, "ROLLBACK"));
  }
  ~LockHolder() { PQfinish(conn_); }

 private:
  PGconn* conn_;
};

TEST_F(PgRunner, LockTimeoutIsRetriedWithBackoffThenFailsCleanly) {
  add("20240101000000_create_users.sql", "-- ficus:up\nCREATE TABLE users (id bigint);\n");
  up();
  std::string path = add("20240102000000_add_email.sql",
                         "-- ficus:up\nALTER TABLE users ADD COLUMN email text;\n");
  LockHolder holder(url_, "users");
  RunOptions o = options();
  o.lock_timeout_ms = 50;
  o.lock_retries = 2;
  std::string error = up_error(o);
  EXPECT_NE(error.find(path + ":2:"), std::string::npos) << error;
  EXPECT_NE(error.find("lock timeout"), std::string::npos) << error;
  EXPECT_NE(error.find("lock_timeout of 50 ms"), std::string::npos) << error;
  EXPECT_NE(error.find("gave up after 3 attempts"), std::string::npos) << error;
  EXPECT_NE(out_.str().find("retry 2/2"), std::string::npos) << out_.str();
  EXPECT_EQ(versions().size(), 1u);
}

TEST_F(PgRunner, LockTimeoutRetrySucceedsOnceTheBlockerFinishes) {
  add("20240101000000_create_users.sql", "-- ficus:up\nCREATE TABLE users (id bigint);\n");
  up();
  add("20240102000000_add_email.sql", "-- ficus:up\nALTER TABLE users ADD COLUMN email text;\n");
  LockHolder holder(url_, "users");
  RunOptions o = options();
  o.lock_timeout_ms = 50;
  o.lock_retries = 5;
  o.retry_backoff_ms = 100;
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    holder.release();
  });
  int applied_count = up(o);
  release.join();
  EXPECT_EQ(applied_count, 1);
  EXPECT_NE(out_.str().find("retry 1/5"), std::string::npos) << out_.str();
}

TEST_F(PgRunner, StatementTimeoutStopsALongStatement) {
  add("20240101000000_slow.sql", "-- ficus:up\nSELECT pg_sleep(5);\n");
  RunOptions o = options();
  o.statement_timeout_ms = 100;
  std::string error = up_error(o);
  EXPECT_NE(error.find("statement timeout"), std::string::npos) << error;
  EXPECT_NE(error.find("statement_timeout of 100 ms"), std::string::npos) << error;
  EXPECT_NE(error.find("--statement-timeout"), std::string::npos) << error;
  EXPECT_TRUE(versions().empty());
}

}  // namespace
}  // namespace ficus::migrations
