// CREATE/DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY cannot run in a transaction block;
// PostgreSQL rejects them, so a transactional migration containing one always fails.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

bool is_concurrent(const LintStatement& s) {
  if (s.type == "IndexStmt" || s.type == "DropStmt") return tree::flag(s.body, "concurrent");
  if (s.type == "ReindexStmt") {
    for (const tree::Json& param : tree::items(s.body, "params"))
      if (tree::text(tree::unwrap(param).second, "defname") == "concurrently") return true;
  }
  return false;
}

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  if (!ctx.in_transaction || !is_concurrent(s)) return;
  report.with_impact(
      "a CONCURRENTLY statement cannot run inside a transaction block, and this migration runs in "
      "one",
      "PostgreSQL rejects the statement, so the migration always fails",
      "put the statement in its own migration marked -- ficus:no-transaction");
}

}  // namespace

extern const Rule kConcurrentlyInTransaction{
    "concurrently-in-transaction", Severity::kError, Dialects::kPostgresOnly,
    "CREATE/DROP INDEX CONCURRENTLY inside a transactional migration", check};

}  // namespace ficus::migrations::rules
