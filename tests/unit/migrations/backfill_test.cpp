// Batched backfills on real SQLite files: statement rewriting, batching, progress and resume.
#include "migrations/runner/backfill.h"

#include <gtest/gtest.h>

#include <sstream>

#include "migrations/runner/runner.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::migrations {
namespace {

TEST(BatchedUpdate, AddsTheKeyRangeToTheRealWhereNotToOneInsideAString) {
  testing::TempSqlite sqlite;
  auto db = open_driver(sqlite.url());
  History history(*db);
  MigrationFile file = parse_migration_file(
      "20240101000000_fill.sql",
      "-- ficus:phase backfill\n-- ficus:up\n-- ficus:batch key=id size=10\nUPDATE t SET note = "
      "'x WHERE y' WHERE a IS NULL RETURNING id;\n");
  Statement statement{"UPDATE t SET note = 'x WHERE y' WHERE a IS NULL RETURNING id", 0, 4};
  BatchedUpdate update(*db, history, file, statement, file.batches[0]);
  EXPECT_EQ(update.batch_sql(false),
            "UPDATE t SET note = 'x WHERE y'  WHERE (\"t\".\"id\" > ?1 AND \"t\".\"id\" <= ?2) "
            "AND ( a IS NULL ) RETURNING id");
  EXPECT_EQ(update.batch_sql(true),
            "UPDATE t SET note = 'x WHERE y'  WHERE (\"t\".\"id\" <= ?1) AND ( a IS NULL ) "
            "RETURNING id");
}

TEST(BatchedUpdate, RefusesAStatementThatIsNotAnUpdate) {
  testing::TempSqlite sqlite;
  auto db = open_driver(sqlite.url());
  History history(*db);
  MigrationFile file = parse_migration_file(
      "20240101000000_fill.sql",
      "-- ficus:phase backfill\n-- ficus:up\n-- ficus:batch key=id\nDELETE FROM t;\n");
  Statement statement{"DELETE FROM t", 0, 4};
  EXPECT_THROW(BatchedUpdate(*db, history, file, statement, file.batches[0]), MigrationError);
}

class SqliteBackfill : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = open_driver(sqlite_.url());
    db->execute("CREATE TABLE items (id INTEGER PRIMARY KEY, n INT NOT NULL DEFAULT 0, grp INT)");
    db->execute(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < 95) "
        "INSERT INTO items (id, grp) SELECT i, i % 2 FROM seq");
    dir_.write("migrations/20240101000000_fill.sql",
               "-- ficus:phase backfill\n-- ficus:up\n-- ficus:batch key=id size=10\n"
               "UPDATE items SET n = n + 1 WHERE grp = 1;\n");
  }
  RunOptions options() const {
    RunOptions o;
    o.dir = dir_.path() + "/migrations";
    return o;
  }
  std::string scalar(const std::string& sql) {
    return open_driver(sqlite_.url())->query(sql).at(0).at(0).value_or("NULL");
  }

  testing::TempDir dir_;
  testing::TempSqlite sqlite_;
  std::ostringstream out_;
};

TEST_F(SqliteBackfill, UpdatesEveryMatchingRowOnceInBatchesAndLogsProgress) {
  auto db = open_driver(sqlite_.url());
  EXPECT_EQ(Runner(*db, options(), out_).up(), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM items WHERE grp = 1 AND n = 1"), "48");
  EXPECT_EQ(scalar("SELECT count(*) FROM items WHERE grp = 0 AND n = 0"), "47");
  EXPECT_NE(out_.str().find("done, 48 rows updated"), std::string::npos) << out_.str();
  EXPECT_EQ(scalar("SELECT count(*) FROM ficus_backfill_progress"), "0");
}

TEST_F(SqliteBackfill, TerminalShowsAProgressBarWithRowsRateAndEta) {
  RunOptions o = options();
  o.progress_bar = true;
  auto db = open_driver(sqlite_.url());
  EXPECT_EQ(Runner(*db, o, out_).up(), 1);
  std::string out = out_.str();
  // Redrawn in place (\r) after each batch of 10 keys: ids 1-10 hold 5 rows of group 1.
  EXPECT_NE(out.find("\rbackfill "), std::string::npos) << out;
  EXPECT_NE(out.find("(\"items\") [##..................]  10% 10/95 rows, 5 updated, "),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("[####################] 100% 95/95 rows, 48 updated, "), std::string::npos)
      << out;
  EXPECT_NE(out.find(" rows/s, ETA "), std::string::npos) << out;
  EXPECT_NE(out.find("   \nbackfill "), std::string::npos) << out;  // bar ends its line
  EXPECT_NE(out.find("done, 48 rows updated"), std::string::npos) << out;
}

TEST_F(SqliteBackfill, ResumesAfterTheLastCommittedBatch) {
  // As if a run was killed after committing the batches up to key 40 (20 rows updated).
  auto db = open_driver(sqlite_.url());
  History history(*db);
  history.ensure_tables();
  db->execute("UPDATE items SET n = 1 WHERE grp = 1 AND id <= 40");
  history.save_backfill_progress("20240101000000", 4, {"40", 20, false});
  EXPECT_EQ(Runner(*db, options(), out_).up(), 1);
  EXPECT_NE(out_.str().find("resuming after key 40 (20 rows already updated)"), std::string::npos)
      << out_.str();
  EXPECT_EQ(scalar("SELECT count(*) FROM items WHERE grp = 1 AND n = 1"), "48");
  EXPECT_EQ(scalar("SELECT max(n) FROM items"), "1");
}

}  // namespace
}  // namespace ficus::migrations
