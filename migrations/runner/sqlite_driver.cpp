#include "migrations/runner/sqlite_driver.h"

#include <sqlite3.h>

#include <fmt/format.h>

namespace ficus::migrations {

SqliteDriver::SqliteDriver(const std::string& path) : path_(path) {
  int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw MigrationError(
        fmt::format("cannot open SQLite database `{}`: {}; check the path in "
                    "--db / DATABASE_URL (sqlite:PATH)",
                    path, message));
  }
  sqlite3_extended_result_codes(db_, 1);
  set_timeouts(5000, 0);
  execute("PRAGMA foreign_keys = ON");
}

SqliteDriver::~SqliteDriver() {
  sqlite3_close_v2(db_);
}

void SqliteDriver::set_timeouts(std::int64_t lock_timeout_ms, std::int64_t statement_timeout_ms) {
  sqlite3_busy_timeout(db_, static_cast<int>(lock_timeout_ms));
  lock_timeout_ms_ = lock_timeout_ms;
  statement_timeout_ = std::chrono::milliseconds(statement_timeout_ms);
  if (statement_timeout_ms <= 0) {
    sqlite3_progress_handler(db_, 0, nullptr, nullptr);
    return;
  }
  sqlite3_progress_handler(
      db_, 10000,
      [](void* self) -> int {
        auto* driver = static_cast<SqliteDriver*>(self);
        return std::chrono::steady_clock::now() > driver->deadline_ ? 1 : 0;
      },
      this);
}

void SqliteDriver::fail(int code, const std::string& sql) {
  std::string message = sqlite3_errmsg(db_);
  int primary = code & 0xff;
  bool busy = primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
  if (busy)
    message = fmt::format(
        "{}: another connection held the SQLite write lock past the lock_timeout of {} ms", message,
        lock_timeout_ms_);
  if (primary == SQLITE_INTERRUPT)
    message = fmt::format(
        "statement timeout: canceled after the statement_timeout of {} ms ({}); make the "
        "statement faster (batch it) or raise --statement-timeout or `-- ficus:statement-timeout`",
        statement_timeout_.count(), message);
  int offset = sqlite3_error_offset(db_);
  std::optional<std::size_t> position;
  if (offset >= 0 && static_cast<std::size_t>(offset) < sql.size())
    position = static_cast<std::size_t>(offset);
  throw DbError(message, std::to_string(code), busy, position);
}

std::int64_t SqliteDriver::run(const std::string& sql, const Params& params,
                               std::vector<Row>* rows) {
  deadline_ = std::chrono::steady_clock::now() + statement_timeout_;
  std::int64_t changed = 0;
  const char* tail = sql.c_str();
  const char* end = sql.c_str() + sql.size();
  // One piece of SQL may hold several statements; sqlite3_prepare_v2's tail pointer walks them.
  while (tail < end) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &stmt, &tail);
    if (rc != SQLITE_OK) fail(rc, sql);
    if (!stmt) continue;  // only whitespace or comments left
    for (std::size_t i = 0; i < params.size(); ++i) {
      int index = static_cast<int>(i + 1);
      if (params[i]) {
        sqlite3_bind_text(stmt, index, params[i]->c_str(), static_cast<int>(params[i]->size()),
                          SQLITE_TRANSIENT);
      } else {
        sqlite3_bind_null(stmt, index);
      }
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (!rows) continue;
      Row row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const unsigned char* text = sqlite3_column_text(stmt, c);
        row.push_back(text ? Value(reinterpret_cast<const char*>(text)) : std::nullopt);
      }
      rows->push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) fail(rc, sql);
    changed += sqlite3_changes64(db_);
  }
  return changed;
}

void SqliteDriver::execute(const std::string& sql) {
  // The total_changes delta, not run()'s sum: sqlite3_changes64 keeps the count of the last
  // INSERT/UPDATE/DELETE through later DDL, which would credit a CREATE TABLE with rows.
  last_changes_ = 0;
  sqlite3_int64 before = sqlite3_total_changes64(db_);
  run(sql, {}, nullptr);
  last_changes_ = sqlite3_total_changes64(db_) - before;
}

std::int64_t SqliteDriver::execute(const std::string& sql, const Params& params) {
  return run(sql, params, nullptr);
}

std::vector<Row> SqliteDriver::query(const std::string& sql, const Params& params) {
  std::vector<Row> rows;
  run(sql, params, &rows);
  return rows;
}

}  // namespace ficus::migrations
