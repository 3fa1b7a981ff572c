// Which SQL dialect a migration targets. Chosen from the database URL (postgres://... or
// sqlite:PATH) and used by the statement splitter, the drivers and the linter.
//
//   Dialect d = dialect_of_url("sqlite:ficus.db");   // Dialect::kSqlite
#pragma once

#include <string_view>

namespace ficus::migrations {

enum class Dialect { kPostgres, kSqlite };

inline std::string_view dialect_name(Dialect d) {
  return d == Dialect::kPostgres ? "postgres" : "sqlite";
}

}  // namespace ficus::migrations
