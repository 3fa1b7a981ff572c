#include "migrations/migrate_config.h"

#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "migrations/runner/migration_error.h"

namespace ficus::migrations {

MigrateConfig load_migrate_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw MigrationError(fmt::format("{}: cannot read the config file", path));
  nlohmann::json root;
  try {
    // Comments are allowed, as in the rest of the file (`ficus serve` reads it too).
    root = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::exception& e) {
    throw MigrationError(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  MigrateConfig config;
  if (!root.is_object() || !root.contains("migrate")) return config;
  const nlohmann::json& m = root["migrate"];
  if (!m.is_object()) throw MigrationError(fmt::format("{}: `migrate` must be an object", path));
  for (const auto& [key, value] : m.items()) {
    std::optional<std::string>* text = key == "db"            ? &config.db
                                       : key == "dir"         ? &config.dir
                                       : key == "backup_dir"  ? &config.backup_dir
                                       : key == "pg_dump"     ? &config.pg_dump
                                       : key == "pg_restore"  ? &config.pg_restore
                                       : key == "proxy_admin" ? &config.proxy_admin
                                                              : nullptr;
    if (text) {
      if (!value.is_string())
        throw MigrationError(fmt::format("{}: migrate.{} must be a string", path, key));
      *text = value.get<std::string>();
    } else if (key == "lock_timeout_ms" || key == "statement_timeout_ms") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0)
        throw MigrationError(
            fmt::format("{}: migrate.{} must be a whole number >= 0 (milliseconds)", path, key));
      (key == "lock_timeout_ms" ? config.lock_timeout_ms : config.statement_timeout_ms) =
          value.get<std::int64_t>();
    } else {
      throw MigrationError(fmt::format(
          "{}: unknown key migrate.{}; known keys: db, dir, backup_dir, pg_dump, pg_restore, "
          "lock_timeout_ms, statement_timeout_ms, proxy_admin",
          path, key));
    }
  }
  return config;
}

}  // namespace ficus::migrations
