// `ficus migrate rehearse`: runs every pending migration up, down and up again on a scratch copy
// of the target and reports, per migration, the time of each step, the locks taken and for how
// long (PostgreSQL, sampled), the rows touched, the lint findings, and whether `down` really
// reverses `up` (the normalised schema after down equals the schema before up). The target
// itself is only read.
//
//   RehearseOptions options;
//   options.run.dir = "migrations";
//   RehearsalReport report = rehearse("postgres://app@db/app", options);
//   std::cout << format_rehearsal(report);
//   return report.ok() ? 0 : 1;
//
// The copy: PostgreSQL `CREATE DATABASE scratch TEMPLATE target` (needs no other session on the
// target); when that fails because the target is in use, an empty scratch database restored from
// the newest backup in ficus_backups if it is current, else from a fresh `pg_dump -Fc`. SQLite: a
// copy of the file through the online backup API. The copy is dropped unless `keep`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "migrations/lint/finding.h"
#include "migrations/runner/backup.h"
#include "migrations/runner/lock_sampler.h"
#include "migrations/runner/runner.h"

namespace ficus::migrations {

struct RehearseOptions {
  RunOptions run;  // dir, to_version, timeouts
  BackupTools tools;
  bool keep = false;  // leave the scratch copy for inspection
};

struct RehearsedMigration {
  std::string version;
  std::string name;
  std::int64_t up_ms = 0;
  std::int64_t down_ms = -1;      // -1: not run (no down section, or an earlier step failed)
  std::int64_t up_again_ms = -1;  // -1: not run
  std::int64_t rows = 0;          // rows touched by the first up
  std::vector<HeldLock> locks;    // during the first up (PostgreSQL only)
  std::vector<Finding> findings;
  bool has_down = false;
  bool reversible = false;               // schema after down == schema before up
  std::vector<std::string> schema_diff;  // "- line" only before, "+ line" only after down
  std::string error;  // the step that failed and why; "" when all three steps ran
  bool ok() const { return error.empty() && (!has_down || reversible); }
};

struct RehearsalReport {
  std::string target;  // database name or file
  std::string copy;    // scratch database URL or file
  std::string method;  // how the copy was made
  bool kept = false;
  bool postgres = false;
  std::vector<RehearsedMigration> migrations;
  bool ok() const;
};

// Throws MigrationError when the copy cannot be made; problems found on the copy are in the
// report instead.
RehearsalReport rehearse(const std::string& db_url, const RehearseOptions& options);

std::string format_rehearsal(const RehearsalReport& report);

// The schema of the database, normalised for comparison: `pg_dump --schema-only` without
// comments, SET lines and ficus's own tables (PostgreSQL), or sqlite_master's SQL (SQLite).
std::vector<std::string> normalized_schema(const std::string& db_url, const BackupTools& tools);

// The URL with its database name replaced: postgres://u@h:5432/app -> postgres://u@h:5432/other.
std::string with_database(const std::string& postgres_url, const std::string& database);

}  // namespace ficus::migrations
