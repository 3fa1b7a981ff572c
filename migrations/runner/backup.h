// Backups taken by `ficus migrate up --backup DIR` before the first pending migration, listed by
// `ficus migrate backups` and put back by `ficus migrate restore`. PostgreSQL: `pg_dump -Fc`,
// restored with pg_restore into a psql single transaction that first drops every user schema, so
// objects created after the backup disappear too. SQLite: the online backup API both ways.
//
//   BackupTools tools;  // pg_dump / pg_restore from PATH
//   BackupRecord b = take_backup(*db, url, "/var/backups/ficus", tools, "20240102000000");
//   for (const BackupRecord& r : list_backups(*db)) ...;
//   std::cout << restore_backup(url, std::nullopt, tools);  // the newest one; says what it
//   replaced
//
// Each backup is one row in `ficus_backups` (file, bytes, sha256, taken_at, the newest applied
// version at the time and the first pending one). A separate table rather than columns on
// ficus_schema_migrations because one backup covers a whole `up` run of several migrations and is
// listed and restored on its own. Restoring rewinds the database, table included, so restore_backup
// carries the rows it knew before over into the restored database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "migrations/runner/driver.h"

namespace ficus::migrations {

struct BackupTools {
  std::string pg_dump = "pg_dump";
  std::string pg_restore = "pg_restore";
  // psql runs the restore script; "" means next to pg_restore (or from PATH).
  std::string psql;
  std::string psql_path() const;
};

struct BackupRecord {
  std::string file;  // absolute path
  std::int64_t bytes = 0;
  std::string sha256;
  std::string taken_at;        // UTC, ISO 8601 with milliseconds
  std::string db_version;      // newest applied migration when taken; "" when none
  std::string before_version;  // first pending migration the backup was taken for
  std::string taken_by;        // user@host
};

// Writes a backup of the database behind `db` (opened from `db_url`) into `dir` (created when
// missing) and records it in ficus_backups. Throws MigrationError; no row is written then.
BackupRecord take_backup(MigrationDriver& db, const std::string& db_url, const std::string& dir,
                         const BackupTools& tools, const std::string& before_version);

// Every recorded backup, oldest first; empty when none was ever taken.
std::vector<BackupRecord> list_backups(MigrationDriver& db);

// Restores `from` (default: the newest recorded backup) over the database at `db_url` and
// returns a description of what was replaced by what. Refuses a recorded file whose sha256 no
// longer matches, or a file of the other database's format. Throws MigrationError.
std::string restore_backup(const std::string& db_url, const std::optional<std::string>& from,
                           const BackupTools& tools);

// Copies the database at `db_url` into a new database/file with the same tools a backup uses:
// for rehearse, when CREATE DATABASE ... TEMPLATE is impossible. `file` is a backup to restore.
void restore_into_empty(const std::string& db_url, const std::string& file,
                        const BackupTools& tools);

// Whole-file copy of an SQLite database through the online backup API (consistent while others
// write). Throws MigrationError.
void sqlite_copy(const std::string& from_path, const std::string& to_path);

// sha256 hex of a file, read in chunks. Throws MigrationError when it cannot be read.
std::string sha256_of_file(const std::string& path);

}  // namespace ficus::migrations
