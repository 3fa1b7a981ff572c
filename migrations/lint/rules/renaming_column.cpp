// RENAME COLUMN breaks the application code that is still running and uses the old name.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext&, Reporter& report) {
  if (s.type != "RenameStmt" || tree::text(s.body, "renameType") != "OBJECT_COLUMN") return;
  std::string table = tree::relation_name(tree::field(s.body, "relation"));
  report(fmt::format("RENAME COLUMN {}.{} to {} breaks every running instance that still uses "
                     "the old name",
                     table, tree::text(s.body, "subname"), tree::text(s.body, "newname")),
         {LockMode::kAccessExclusive, table},
         "expand/contract: add the new column, dual-write, backfill, switch reads, then drop the "
         "old column in a contract migration (or expose the new name through a view)");
}

}  // namespace

extern const Rule kRenamingColumn{"renaming-column", Severity::kError, Dialects::kPostgresAndSqlite,
                                  "RENAME COLUMN breaks the code still running", check};

}  // namespace ficus::migrations::rules
