// The `migrate` object of the ficus JSON config.
#include <gtest/gtest.h>

#include "migrations/migrate_config.h"
#include "migrations/runner/migration_error.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::migrations {
namespace {

TEST(MigrateConfig, ReadsEveryKey) {
  testing::TempDir dir;
  std::string path = dir.write(
      "ficus.json",
      R"({"routes": [], "migrate": {"db": "sqlite:a.db", "dir": "db/m", "backup_dir": "/b",
          "pg_dump": "/x/pg_dump", "pg_restore": "/x/pg_restore", "lock_timeout_ms": 250,
          "statement_timeout_ms": 60000}})");
  MigrateConfig c = load_migrate_config(path);
  EXPECT_EQ(c.db, "sqlite:a.db");
  EXPECT_EQ(c.dir, "db/m");
  EXPECT_EQ(c.backup_dir, "/b");
  EXPECT_EQ(c.pg_dump, "/x/pg_dump");
  EXPECT_EQ(c.pg_restore, "/x/pg_restore");
  EXPECT_EQ(c.lock_timeout_ms, 250);
  EXPECT_EQ(c.statement_timeout_ms, 60000);
}

TEST(MigrateConfig, MissingMigrateObjectLeavesEverythingUnset) {
  testing::TempDir dir;
  MigrateConfig c = load_migrate_config(dir.write("ficus.json", R"({"routes": []})"));
  EXPECT_FALSE(c.db);
  EXPECT_FALSE(c.backup_dir);
  EXPECT_FALSE(c.lock_timeout_ms);
  EXPECT_FALSE(c.statement_timeout_ms);
}

TEST(MigrateConfig, WrongTypeNamesTheKey) {
  testing::TempDir dir;
  std::string path = dir.write("ficus.json", R"({"migrate": {"lock_timeout_ms": "5s"}})");
  try {
    load_migrate_config(path);
    FAIL() << "accepted a string lock_timeout_ms";
  } catch (const MigrationError& e) {
    EXPECT_NE(std::string(e.what()).find("migrate.lock_timeout_ms"), std::string::npos) << e.what();
  }
}

TEST(MigrateConfig, InvalidJsonIsAnError) {
  testing::TempDir dir;
  EXPECT_THROW(load_migrate_config(dir.write("ficus.json", "{")), MigrationError);
}

}  // namespace
}  // namespace ficus::migrations
