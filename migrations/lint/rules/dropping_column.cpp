// DROP COLUMN outside a contract-phase migration: code still running may read the column.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  if (s.type != "AlterTableStmt" || ctx.file.phase == Phase::kContract) return;
  std::string table = tree::relation_name(tree::field(s.body, "relation"));
  if (ctx.is_new_table(table)) return;
  for (const tree::Json* cmd : tree::alter_cmds(s.body)) {
    if (tree::text(*cmd, "subtype") != "AT_DropColumn") continue;
    report(fmt::format("DROP COLUMN {}.{} outside a contract migration breaks code that still "
                       "reads it",
                       table, tree::text(*cmd, "name")),
           s.lock,
           "stop reading and writing the column in the code first, then drop it in a migration "
           "marked -- ficus:phase contract (applied once the route is 100 % on the new code)");
  }
}

}  // namespace

extern const Rule kDroppingColumn{"dropping-column", Severity::kError, Dialects::kPostgresAndSqlite,
                                  "DROP COLUMN outside a contract-phase migration", check};

}  // namespace ficus::migrations::rules
