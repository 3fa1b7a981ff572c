// The optional `migrate` object of the ficus JSON config (`--config FILE` or $FICUS_CONFIG), read
// here rather than in config/ because only `ficus migrate` uses it. Every key is optional;
// command-line flags win over it.
//
//   {"migrate": {"db": "postgres://app@db/app", "dir": "db/migrations", "backup_dir": "/backups",
//                "pg_dump": "/usr/lib/postgresql/15/bin/pg_dump", "pg_restore": "...",
//                "lock_timeout_ms": 3000, "statement_timeout_ms": 600000,
//                "proxy_admin": "10.0.0.5:9901"}}
//
//   MigrateConfig c = load_migrate_config("ficus.json");
//   std::string dir = flag_dir.empty() ? c.dir.value_or("migrations") : flag_dir;
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ficus::migrations {

struct MigrateConfig {
  std::optional<std::string> db;
  std::optional<std::string> dir;
  std::optional<std::string> backup_dir;
  std::optional<std::string> pg_dump;
  std::optional<std::string> pg_restore;
  std::optional<std::int64_t> lock_timeout_ms;
  std::optional<std::int64_t> statement_timeout_ms;
  // Where the running proxy's admin API is reached, when not at the config's admin.listen (which
  // may be a wildcard or another host's view); asked for each route's cutover state.
  std::optional<std::string> proxy_admin;
};

// Reads the `migrate` object of the JSON file at `path`; all empty when the file has none.
// Throws MigrationError naming the file and key for unreadable JSON, an unknown key or a value of
// the wrong type.
MigrateConfig load_migrate_config(const std::string& path);

}  // namespace ficus::migrations
