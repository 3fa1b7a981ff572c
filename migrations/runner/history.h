// The history tables `ficus migrate` keeps in the target database:
//   ficus_schema_migrations   one row per applied migration (version, name, checksum = sha256 of
//                             the file, phase, applied_at, execution_ms, applied_by)
//   ficus_migration_failures  a no-transaction migration that failed midway; blocks `up`
//   ficus_backfill_progress   how far each batched backfill got, so a killed run resumes
//
//   History history(db);
//   history.ensure_tables();
//   for (const AppliedMigration& m : history.applied()) ...;
//
// `applied(db_url)` reads the history without creating anything (for the cutover engine).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "migrations/runner/driver.h"
#include "migrations/runner/migration_file.h"

namespace ficus::migrations {

struct AppliedMigration {
  std::string version;
  std::string name;
  std::string checksum;
  std::string phase;       // "" when the file named none
  std::string applied_at;  // UTC, ISO 8601
  std::int64_t execution_ms = 0;
  std::string applied_by;
};

struct FailedMigration {
  std::string version;
  std::string name;
  std::string failed_at;
  std::int64_t line = 0;  // file line of the statement that failed
  std::string error;
};

struct BackfillProgress {
  std::string last_key;  // the batch key of the last committed batch; "" before the first
  std::int64_t rows_done = 0;
  bool finished = false;
};

class History {
 public:
  explicit History(MigrationDriver& db) : db_(db) {}

  void ensure_tables();
  bool exists();

  std::vector<AppliedMigration> applied();  // oldest version first
  void record_applied(const MigrationFile& file, std::int64_t execution_ms,
                      const std::string& applied_by);
  void remove_applied(const std::string& version);

  std::vector<FailedMigration> failures();
  void record_failure(const MigrationFile& file, std::size_t line, const std::string& error);
  void clear_failure(const std::string& version);

  std::optional<BackfillProgress> backfill_progress(const std::string& version, std::size_t line);
  void save_backfill_progress(const std::string& version, std::size_t line,
                              const BackfillProgress& progress);
  void clear_backfill_progress(const std::string& version);

 private:
  MigrationDriver& db_;
};

// The applied migrations in the database at `db_url`, oldest first; empty when nothing was ever
// applied there. Throws MigrationError when the database cannot be opened.
std::vector<AppliedMigration> applied(const std::string& db_url);

// "user@host" of the process, stored as applied_by.
std::string current_user_and_host();

}  // namespace ficus::migrations
