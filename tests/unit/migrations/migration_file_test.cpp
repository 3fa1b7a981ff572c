#include "migrations/runner/migration_file.h"

#include <gtest/gtest.h>

#include "migrations/runner/migration_error.h"

namespace ficus::migrations {
namespace {

constexpr const char* kPath = "migrations/20240131093000_add_email.sql";

std::string error_of(const std::string& path, const std::string& text) {
  try {
    parse_migration_file(path, text);
  } catch (const MigrationError& e) {
    return e.what();
  }
  return "";
}

TEST(MigrationFile, SplitsUpAndDownSectionsAndKeepsFileLines) {
  MigrationFile m =
      parse_migration_file(kPath,
                           "-- a comment\n-- ficus:up\nALTER TABLE users ADD COLUMN email text;\n"
                           "-- ficus:down\nALTER TABLE users DROP COLUMN email;\n");
  EXPECT_EQ(m.version, "20240131093000");
  EXPECT_EQ(m.name, "add_email");
  EXPECT_EQ(m.up.sql, "ALTER TABLE users ADD COLUMN email text;\n");
  EXPECT_EQ(m.up.first_line, 3u);
  EXPECT_EQ(m.down.sql, "ALTER TABLE users DROP COLUMN email;\n");
  EXPECT_EQ(m.down.first_line, 5u);
  EXPECT_TRUE(m.transaction);
  EXPECT_EQ(m.checksum.size(), 64u);
}

TEST(MigrationFile, AcceptsDbmateMarkersAndTransactionFalse) {
  MigrationFile m = parse_migration_file(
      kPath,
      "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n"
      "-- migrate:down\nDROP INDEX CONCURRENTLY i;\n");
  EXPECT_FALSE(m.transaction);
  EXPECT_TRUE(m.down.present);
}

TEST(MigrationFile, ReadsDirectives) {
  MigrationFile m = parse_migration_file(kPath,
                                         "-- ficus:no-transaction\n"
                                         "-- ficus:phase backfill\n"
                                         "-- ficus:allow dropping-column unused since v42\n"
                                         "-- ficus:lock-timeout 2s\n"
                                         "-- ficus:statement-timeout 1min\n"
                                         "-- ficus:up\n"
                                         "-- ficus:batch key=id size=500 sleep_ms=20\n"
                                         "UPDATE t SET a = b;\n");
  EXPECT_FALSE(m.transaction);
  EXPECT_EQ(m.phase, Phase::kBackfill);
  ASSERT_EQ(m.allows.size(), 1u);
  EXPECT_EQ(m.allows[0].rule, "dropping-column");
  EXPECT_EQ(m.allows[0].reason, "unused since v42");
  EXPECT_TRUE(m.allows_rule("dropping-column"));
  EXPECT_EQ(m.lock_timeout_ms, 2000);
  EXPECT_EQ(m.statement_timeout_ms, 60000);
  ASSERT_EQ(m.batches.size(), 1u);
  EXPECT_EQ(m.batches[0].key, "id");
  EXPECT_EQ(m.batches[0].size, 500);
  EXPECT_EQ(m.batches[0].sleep_ms, 20);
  EXPECT_EQ(m.batches[0].line, 7u);
}

TEST(MigrationFile, MissingUpMarkerIsAnErrorNamingTheFile) {
  std::string error = error_of(kPath, "-- just a comment\n");
  EXPECT_NE(error.find(kPath), std::string::npos) << error;
  EXPECT_NE(error.find("-- ficus:up"), std::string::npos) << error;
}

TEST(MigrationFile, SqlBeforeUpMarkerIsAnErrorNamingTheLine) {
  std::string error = error_of(kPath, "-- header\nCREATE TABLE t (id int);\n-- ficus:up\n");
  EXPECT_NE(error.find(std::string(kPath) + ":2:"), std::string::npos) << error;
}

TEST(MigrationFile, UnknownDirectiveIsAnErrorListingTheKnownOnes) {
  std::string error = error_of(kPath, "-- ficus:up\n-- ficus:no-transactoin\nSELECT 1;\n");
  EXPECT_NE(error.find(std::string(kPath) + ":2:"), std::string::npos) << error;
  EXPECT_NE(error.find("no-transaction"), std::string::npos) << error;
}

TEST(MigrationFile, BadPhaseIsAnError) {
  EXPECT_NE(error_of(kPath, "-- ficus:phase shrink\n-- ficus:up\n").find(":1: phase `shrink`"),
            std::string::npos);
}

TEST(MigrationFile, AllowWithoutReasonIsAnError) {
  EXPECT_NE(error_of(kPath, "-- ficus:allow dropping-column\n-- ficus:up\n").find("reason"),
            std::string::npos);
}

TEST(MigrationFile, BatchOutsideBackfillPhaseIsAnError) {
  std::string error = error_of(kPath, "-- ficus:up\n-- ficus:batch key=id\nUPDATE t SET a = 1;\n");
  EXPECT_NE(error.find(":2:"), std::string::npos) << error;
  EXPECT_NE(error.find("phase backfill"), std::string::npos) << error;
}

TEST(MigrationFile, MisnamedFileIsAnErrorSayingHowToName) {
  std::string error = error_of("migrations/add_email.sql", "-- ficus:up\n");
  EXPECT_NE(error.find("<version>_<name>.sql"), std::string::npos) << error;
}

TEST(MigrationFile, DirectiveWordsInsideSqlAreNotDirectives) {
  MigrationFile m =
      parse_migration_file(kPath, "-- ficus:up\nINSERT INTO notes VALUES ('-- ficus:down');\n");
  EXPECT_FALSE(m.down.present);
}

TEST(MigrationFile, ChecksumChangesWhenTheFileChanges) {
  EXPECT_NE(parse_migration_file(kPath, "-- ficus:up\nSELECT 1;\n").checksum,
            parse_migration_file(kPath, "-- ficus:up\nSELECT 2;\n").checksum);
}

TEST(Duration, ParsesUnits) {
  EXPECT_EQ(parse_duration_ms("250ms"), 250);
  EXPECT_EQ(parse_duration_ms("5s"), 5000);
  EXPECT_EQ(parse_duration_ms("2min"), 120000);
  EXPECT_EQ(parse_duration_ms("0"), 0);
  EXPECT_EQ(parse_duration_ms("5 s"), std::nullopt);
  EXPECT_EQ(parse_duration_ms("fast"), std::nullopt);
}

}  // namespace
}  // namespace ficus::migrations
