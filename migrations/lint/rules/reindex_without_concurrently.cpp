// REINDEX without CONCURRENTLY blocks writes to the table and reads that use the index.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext&, Reporter& report) {
  if (s.type != "ReindexStmt" || s.lock.mode != LockMode::kAccessExclusive) return;
  report(fmt::format("REINDEX {} without CONCURRENTLY blocks writes and index reads while it "
                     "rebuilds",
                     s.lock.table),
         s.lock, "REINDEX ... CONCURRENTLY in a migration marked -- ficus:no-transaction");
}

}  // namespace

extern const Rule kReindexWithoutConcurrently{"reindex-without-concurrently", Severity::kError,
                                              Dialects::kPostgresOnly,
                                              "REINDEX without CONCURRENTLY", check};

}  // namespace ficus::migrations::rules
