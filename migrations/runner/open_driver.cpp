#include <fmt/format.h>

#include "config/redaction.h"
#include "migrations/runner/driver.h"
#include "migrations/runner/pg_driver.h"
#include "migrations/runner/sqlite_driver.h"

namespace ficus::migrations {

Dialect dialect_of_url(const std::string& db_url) {
  if (db_url.starts_with("postgres://") || db_url.starts_with("postgresql://"))
    return Dialect::kPostgres;
  if (db_url.starts_with("sqlite:")) return Dialect::kSqlite;
  throw MigrationError(fmt::format(
      "database URL `{}` is neither postgres://... nor sqlite:PATH; fix --db or DATABASE_URL",
      config::redact_url_credentials(db_url)));
}

std::string sqlite_path_of_url(const std::string& db_url) {
  std::string path = db_url.substr(std::string_view("sqlite:").size());
  // Accept dbmate's sqlite:///abs/path and sqlite://relative spelling as well.
  if (path.starts_with("//")) path = path.substr(2);
  if (path.empty())
    throw MigrationError(
        "database URL `sqlite:` has no path; write sqlite:PATH, e.g. sqlite:ficus.db");
  return path;
}

std::unique_ptr<MigrationDriver> open_driver(const std::string& db_url) {
  if (dialect_of_url(db_url) == Dialect::kPostgres) return std::make_unique<PgDriver>(db_url);
  return std::make_unique<SqliteDriver>(sqlite_path_of_url(db_url));
}

}  // namespace ficus::migrations
