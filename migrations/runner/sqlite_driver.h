// MigrationDriver for SQLite files (`sqlite:PATH`), the embedded default database.
//
//   SqliteDriver db("ficus.db");
//   db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)");
//
// lock_timeout maps to sqlite3_busy_timeout (how long to wait for another writer);
// statement_timeout is enforced with a progress handler that interrupts the statement.
#pragma once

#include <chrono>
#include <string>

#include "migrations/runner/driver.h"

struct sqlite3;

namespace ficus::migrations {

class SqliteDriver final : public MigrationDriver {
 public:
  explicit SqliteDriver(const std::string& path);
  ~SqliteDriver() override;
  SqliteDriver(const SqliteDriver&) = delete;
  SqliteDriver& operator=(const SqliteDriver&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }
  void execute(const std::string& sql) override;
  std::int64_t execute(const std::string& sql, const Params& params) override;
  std::int64_t last_changes() const override { return last_changes_; }
  std::vector<Row> query(const std::string& sql, const Params& params) override;
  std::string placeholder(int index) const override { return "?" + std::to_string(index); }
  bool try_lock_runner() override { return true; }
  void lock_runner() override {}
  void unlock_runner() override {}
  void set_timeouts(std::int64_t lock_timeout_ms, std::int64_t statement_timeout_ms) override;

 private:
  std::int64_t run(const std::string& sql, const Params& params, std::vector<Row>* rows);
  [[noreturn]] void fail(int code, const std::string& sql);

  sqlite3* db_ = nullptr;
  std::string path_;
  std::int64_t last_changes_ = 0;
  std::int64_t lock_timeout_ms_ = 0;
  std::chrono::milliseconds statement_timeout_{0};
  std::chrono::steady_clock::time_point deadline_{};
};

}  // namespace ficus::migrations
