#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {

LiveTableAlters live_table_alters(const LintStatement& statement, const LintContext& ctx,
                                  std::string_view subtype) {
  LiveTableAlters alters;
  if (statement.type != "AlterTableStmt") return alters;
  alters.table = pg_tree::relation_name(pg_tree::field(statement.body, "relation"));
  if (ctx.is_new_table(alters.table)) return alters;
  for (const pg_tree::Json* cmd : pg_tree::alter_cmds(statement.body)) {
    if (pg_tree::text(*cmd, "subtype") == subtype) alters.commands.push_back(cmd);
  }
  return alters;
}

}  // namespace ficus::migrations::rules
