#include "migrations/runner/history.h"

#include <pwd.h>
#include <unistd.h>

#include <array>
#include <cstdlib>

#include <fmt/format.h>

namespace ficus::migrations {
namespace {

std::string now_expr(Dialect d) {
  return d == Dialect::kPostgres ? "now()" : "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
}

std::string timestamp_type(Dialect d) {
  return d == Dialect::kPostgres ? "timestamptz" : "text";
}

std::string read_timestamp(Dialect d, const std::string& column) {
  if (d == Dialect::kSqlite) return column;
  return fmt::format(R"(to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))", column);
}

std::int64_t to_int(const Value& v) {
  return v ? std::strtoll(v->c_str(), nullptr, 10) : 0;
}

}  // namespace

void History::ensure_tables() {
  Dialect d = db_.dialect();
  db_.execute(fmt::format(
      "CREATE TABLE IF NOT EXISTS ficus_schema_migrations ("
      "version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, phase text, "
      "applied_at {0} NOT NULL DEFAULT ({1}), execution_ms bigint NOT NULL DEFAULT 0, "
      "applied_by text NOT NULL DEFAULT '')",
      timestamp_type(d), now_expr(d)));
  db_.execute(fmt::format(
      "CREATE TABLE IF NOT EXISTS ficus_migration_failures ("
      "version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, "
      "failed_at {0} NOT NULL DEFAULT ({1}), line bigint NOT NULL, error text NOT NULL)",
      timestamp_type(d), now_expr(d)));
  db_.execute(fmt::format(
      "CREATE TABLE IF NOT EXISTS ficus_backfill_progress ("
      "version text NOT NULL, line bigint NOT NULL, last_key text, rows_done bigint NOT NULL, "
      "finished boolean NOT NULL, updated_at {0} NOT NULL DEFAULT ({1}), "
      "PRIMARY KEY (version, line))",
      timestamp_type(d), now_expr(d)));
}

bool History::exists() {
  if (db_.dialect() == Dialect::kPostgres)
    return db_.query("SELECT to_regclass('ficus_schema_migrations') IS NOT NULL").at(0).at(0) ==
           "t";
  return !db_.query(
                 "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                 "'ficus_schema_migrations'")
              .empty();
}

std::vector<AppliedMigration> History::applied() {
  auto rows =
      db_.query(fmt::format("SELECT version, name, checksum, coalesce(phase, ''), {}, "
                            "execution_ms, applied_by FROM ficus_schema_migrations ORDER "
                            "BY version",
                            read_timestamp(db_.dialect(), "applied_at")));
  std::vector<AppliedMigration> out;
  for (const Row& r : rows) {
    out.push_back({r[0].value_or(""), r[1].value_or(""), r[2].value_or(""), r[3].value_or(""),
                   r[4].value_or(""), to_int(r[5]), r[6].value_or("")});
  }
  return out;
}

void History::record_applied(const MigrationFile& file, std::int64_t execution_ms,
                             const std::string& applied_by) {
  Value phase =
      file.phase == Phase::kNone ? std::nullopt : Value(std::string(phase_name(file.phase)));
  db_.execute(
      fmt::format("INSERT INTO ficus_schema_migrations (version, name, checksum, phase, "
                  "execution_ms, applied_by) VALUES ({}, {}, {}, {}, {}, {})",
                  db_.placeholder(1), db_.placeholder(2), db_.placeholder(3), db_.placeholder(4),
                  db_.placeholder(5), db_.placeholder(6)),
      {file.version, file.name, file.checksum, phase, std::to_string(execution_ms), applied_by});
}

void History::remove_applied(const std::string& version) {
  db_.execute("DELETE FROM ficus_schema_migrations WHERE version = " + db_.placeholder(1),
              {version});
}

std::vector<FailedMigration> History::failures() {
  auto rows = db_.query(fmt::format(
      "SELECT version, name, {}, line, error FROM ficus_migration_failures ORDER BY version",
      read_timestamp(db_.dialect(), "failed_at")));
  std::vector<FailedMigration> out;
  for (const Row& r : rows) {
    out.push_back(
        {r[0].value_or(""), r[1].value_or(""), r[2].value_or(""), to_int(r[3]), r[4].value_or("")});
  }
  return out;
}

void History::record_failure(const MigrationFile& file, std::size_t line,
                             const std::string& error) {
  clear_failure(file.version);
  db_.execute(fmt::format("INSERT INTO ficus_migration_failures (version, name, checksum, line, "
                          "error) VALUES ({}, {}, {}, {}, {})",
                          db_.placeholder(1), db_.placeholder(2), db_.placeholder(3),
                          db_.placeholder(4), db_.placeholder(5)),
              {file.version, file.name, file.checksum, std::to_string(line), error});
}

void History::clear_failure(const std::string& version) {
  db_.execute("DELETE FROM ficus_migration_failures WHERE version = " + db_.placeholder(1),
              {version});
}

std::optional<BackfillProgress> History::backfill_progress(const std::string& version,
                                                           std::size_t line) {
  auto rows = db_.query(
      fmt::format("SELECT last_key, rows_done, finished FROM ficus_backfill_progress WHERE "
                  "version = {} AND line = {}",
                  db_.placeholder(1), db_.placeholder(2)),
      {version, std::to_string(line)});
  if (rows.empty()) return std::nullopt;
  const Row& r = rows[0];
  return BackfillProgress{r[0].value_or(""), to_int(r[1]), r[2] == "t" || r[2] == "1"};
}

void History::save_backfill_progress(const std::string& version, std::size_t line,
                                     const BackfillProgress& progress) {
  std::string finished = db_.dialect() == Dialect::kPostgres
                             ? (progress.finished ? "true" : "false")
                             : (progress.finished ? "1" : "0");
  db_.execute(fmt::format("INSERT INTO ficus_backfill_progress (version, line, last_key, "
                          "rows_done, finished) VALUES ({0}, {1}, {2}, {3}, {4}) ON CONFLICT "
                          "(version, line) DO UPDATE SET last_key = excluded.last_key, rows_done "
                          "= excluded.rows_done, finished = excluded.finished, updated_at = {5}",
                          db_.placeholder(1), db_.placeholder(2), db_.placeholder(3),
                          db_.placeholder(4), db_.placeholder(5), now_expr(db_.dialect())),
              {version, std::to_string(line), progress.last_key, std::to_string(progress.rows_done),
               finished});
}

void History::clear_backfill_progress(const std::string& version) {
  db_.execute("DELETE FROM ficus_backfill_progress WHERE version = " + db_.placeholder(1),
              {version});
}

std::vector<AppliedMigration> applied(const std::string& db_url) {
  auto db = open_driver(db_url);
  History history(*db);
  if (!history.exists()) return {};
  return history.applied();
}

std::string current_user_and_host() {
  std::array<char, 256> host{};
  gethostname(host.data(), host.size() - 1);
  const char* user = std::getenv("USER");
  std::string name = user ? user : "";
  if (name.empty()) {
    if (const passwd* pw = getpwuid(geteuid())) name = pw->pw_name;
  }
  return fmt::format("{}@{}", name, host.data());
}

}  // namespace ficus::migrations
