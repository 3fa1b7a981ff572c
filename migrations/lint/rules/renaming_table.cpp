// RENAME TABLE breaks the application code that is still running and uses the old name.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  if (s.type != "RenameStmt" || tree::text(s.body, "renameType") != "OBJECT_TABLE") return;
  std::string table = tree::relation_name(tree::field(s.body, "relation"));
  if (ctx.is_new_table(table)) return;
  report(fmt::format("RENAME TABLE {} to {} breaks every running instance that still uses the old "
                     "name",
                     table, tree::text(s.body, "newname")),
         {LockMode::kAccessExclusive, table},
         "expand/contract: create the new table (or a view with the new name), dual-write, "
         "backfill, switch reads, then drop the old one in a contract migration");
}

}  // namespace

extern const Rule kRenamingTable{"renaming-table", Severity::kError, Dialects::kPostgresAndSqlite,
                                 "RENAME TABLE breaks the code still running", check};

}  // namespace ficus::migrations::rules
