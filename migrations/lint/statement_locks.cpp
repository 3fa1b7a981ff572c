#include "migrations/lint/statement_locks.h"

#include <pg_query.h>

#include <nlohmann/json.hpp>

#include "migrations/lint/lock_level.h"
#include "migrations/lint/pg_tree.h"
#include "migrations/runner/statements.h"

namespace ficus::migrations {

std::vector<StatementLock> statement_locks(const MigrationFile& file, Dialect dialect) {
  std::vector<StatementLock> out;
  for (const Statement& s : split_statements(dialect, file.up, file.path)) {
    StatementLock entry{s.line, s.text, "", ""};
    PgQueryParseResult result = pg_query_parse(s.text.c_str());
    // Not throwing: a statement with bytes that are not UTF-8 gets no lock line (lint reports it).
    auto parsed = result.error ? nlohmann::json()
                               : nlohmann::json::parse(result.parse_tree, nullptr,
                                                       /*allow_exceptions=*/false);
    if (parsed.is_object()) {
      const auto& stmts = pg_tree::items(parsed, "stmts");
      if (stmts.size() == 1) {
        LockTaken lock = lock_taken(pg_tree::field(stmts[0], "stmt"));
        if (dialect == Dialect::kPostgres) {
          entry.lock = describe_lock(lock);
          entry.impact = lock_impact(lock.mode);
        } else if (lock.mode > LockMode::kAccessShare) {
          entry.lock = "the SQLite database write lock";
          entry.impact = "every other writer waits until the migration commits";
        }
      }
    }
    pg_query_free_parse_result(result);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace ficus::migrations
