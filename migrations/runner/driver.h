// The small database interface the runner needs, with one implementation per database:
// PgDriver (libpq) and SqliteDriver. Everything above it (history, up/down, backfill) is written
// once against this interface, as in dbmate's `Driver`.
//
//   std::unique_ptr<MigrationDriver> db = open_driver("postgres://app@127.0.0.1:5432/app");
//   db->execute("CREATE TABLE t (id int)");
//   auto rows = db->query("SELECT count(*) FROM t WHERE id > " + db->placeholder(1), {"10"});
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "migrations/runner/dialect.h"
#include "migrations/runner/migration_error.h"

namespace ficus::migrations {

using Value = std::optional<std::string>;  // nullopt is SQL NULL; everything else is text
using Params = std::vector<Value>;
using Row = std::vector<Value>;

// A failed statement. `lock_timeout` is true when it gave up waiting for a lock
// (PostgreSQL SQLSTATE 55P03, SQLite SQLITE_BUSY), which the runner retries.
class DbError : public MigrationError {
 public:
  DbError(const std::string& message, std::string sqlstate, bool lock_timeout,
          std::optional<std::size_t> position = std::nullopt)
      : MigrationError(message),
        sqlstate_(std::move(sqlstate)),
        lock_timeout_(lock_timeout),
        position_(position) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool lock_timeout() const { return lock_timeout_; }
  // 0-based byte offset of the error inside the statement, when the database reports one.
  std::optional<std::size_t> position() const { return position_; }

 private:
  std::string sqlstate_;
  bool lock_timeout_;
  std::optional<std::size_t> position_;
};

class MigrationDriver {
 public:
  virtual ~MigrationDriver() = default;
  virtual Dialect dialect() const = 0;

  // Runs SQL without parameters. Throws DbError.
  virtual void execute(const std::string& sql) = 0;
  // Runs one parameterized statement and returns the number of rows it changed.
  virtual std::int64_t execute(const std::string& sql, const Params& params) = 0;
  // Rows inserted, updated or deleted by the last statement execute(sql) ran (0 for DDL).
  virtual std::int64_t last_changes() const { return 0; }
  virtual std::vector<Row> query(const std::string& sql, const Params& params = {}) = 0;
  // The text of the 1-based parameter `index` in this dialect ($1 or ?1).
  virtual std::string placeholder(int index) const = 0;

  // Keeps two runners from interleaving. PostgreSQL: a session advisory lock. SQLite serializes
  // writers itself, so these always succeed there.
  virtual bool try_lock_runner() = 0;
  virtual void lock_runner() = 0;
  virtual void unlock_runner() = 0;
  // Who holds the runner lock, for the "waiting for ..." message; empty when unknown.
  virtual std::string runner_lock_holder() { return {}; }

  // Session lock_timeout and statement_timeout in milliseconds; 0 turns one off.
  virtual void set_timeouts(std::int64_t lock_timeout_ms, std::int64_t statement_timeout_ms) = 0;
};

// The file path of a `sqlite:PATH` URL (also dbmate's sqlite:///abs and sqlite://rel).
// Throws MigrationError when the path is empty.
std::string sqlite_path_of_url(const std::string& db_url);

// Opens `postgres://...`/`postgresql://...` with libpq or `sqlite:PATH` with SQLite.
// Throws MigrationError for an unknown scheme or a failed connection.
std::unique_ptr<MigrationDriver> open_driver(const std::string& db_url);

// The dialect of a database URL, without connecting. Throws MigrationError for an unknown scheme.
Dialect dialect_of_url(const std::string& db_url);

}  // namespace ficus::migrations
