// A whole-table backfill in one statement: an UPDATE whose only filter is "column IS NULL"
// (the usual backfill shape), or any UPDATE in a backfill-phase migration, not marked batched.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

// True when the WHERE clause is only IS NULL tests (joined by AND), i.e. "every row not done".
bool only_null_tests(const tree::Json& where) {
  auto [type, body] = tree::unwrap(where);
  if (type == "NullTest") return true;
  if (type == "BoolExpr" && tree::text(body, "boolop") == "AND_EXPR") {
    for (const tree::Json& arg : tree::items(body, "args"))
      if (!only_null_tests(arg)) return false;
    return true;
  }
  return false;
}

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  if (s.type != "UpdateStmt" || s.batch || !s.body.contains("whereClause")) return;
  bool backfill_shape = only_null_tests(tree::field(s.body, "whereClause"));
  if (!backfill_shape && ctx.file.phase != Phase::kBackfill) return;
  std::string table = tree::relation_name(tree::field(s.body, "relation"));
  report(fmt::format("UPDATE of {} looks like a whole-table backfill in one statement", table),
         {LockMode::kRowExclusive, table + " (every matching row, until commit)"},
         "mark it -- ficus:batch key=id size=1000 sleep_ms=50 in a -- ficus:phase backfill "
         "migration: key-ordered batches, one transaction each, resumable");
}

}  // namespace

extern const Rule kUnbatchedBackfill{"unbatched-backfill", Severity::kWarning,
                                     Dialects::kPostgresAndSqlite,
                                     "a whole-table backfill UPDATE in one statement", check};

}  // namespace ficus::migrations::rules
