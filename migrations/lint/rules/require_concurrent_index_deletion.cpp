// DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the index's table.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext&, Reporter& report) {
  if (s.type != "DropStmt" || tree::text(s.body, "removeType") != "OBJECT_INDEX" ||
      tree::flag(s.body, "concurrent"))
    return;
  report(fmt::format("DROP INDEX {} without CONCURRENTLY locks its table against all queries",
                     s.lock.table),
         {LockMode::kAccessExclusive, "the index's table"},
         "DROP INDEX CONCURRENTLY IF EXISTS in its own migration marked -- ficus:no-transaction");
}

}  // namespace

extern const Rule kRequireConcurrentIndexDeletion{
    "require-concurrent-index-deletion", Severity::kError, Dialects::kPostgresOnly,
    "DROP INDEX without CONCURRENTLY locks the table", check};

}  // namespace ficus::migrations::rules
