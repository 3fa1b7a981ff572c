// UPDATE or DELETE without WHERE touches every row in one transaction: long row locks, a huge
// WAL burst and replication lag. A batched backfill (-- ficus:batch) is fine.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext&, Reporter& report) {
  if ((s.type != "UpdateStmt" && s.type != "DeleteStmt") || s.batch) return;
  if (s.body.contains("whereClause")) return;
  std::string table = tree::relation_name(tree::field(s.body, "relation"));
  report(fmt::format("{} without WHERE changes every row of {} in one transaction",
                     s.type == "UpdateStmt" ? "UPDATE" : "DELETE", table),
         {LockMode::kRowExclusive, table + " (every row)"},
         "batch it: put it in a -- ficus:phase backfill migration and mark it -- ficus:batch "
         "key=id size=1000 so each batch commits on its own");
}

}  // namespace

extern const Rule kMutationWithoutWhere{"mutation-without-where", Severity::kError,
                                        Dialects::kPostgresAndSqlite,
                                        "UPDATE or DELETE without WHERE", check};

}  // namespace ficus::migrations::rules
