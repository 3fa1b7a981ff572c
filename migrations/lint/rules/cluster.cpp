// CLUSTER rewrites the table in index order under ACCESS EXCLUSIVE.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext&, Reporter& report) {
  if (s.type != "ClusterStmt") return;
  report(fmt::format("CLUSTER rewrites {} while blocking every query on it",
                     s.lock.table.empty() ? "tables" : s.lock.table),
         s.lock, "use pg_repack (online) outside migrations, or leave the table as it is");
}

}  // namespace

extern const Rule kCluster{"cluster", Severity::kError, Dialects::kPostgresOnly,
                           "CLUSTER rewrites the table under ACCESS EXCLUSIVE", check};

}  // namespace ficus::migrations::rules
