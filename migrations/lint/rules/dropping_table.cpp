// DROP TABLE outside a contract-phase migration: code still running may use the table.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  if (s.type != "DropStmt" || tree::text(s.body, "removeType") != "OBJECT_TABLE" ||
      ctx.file.phase == Phase::kContract)
    return;
  for (const tree::Json& object : tree::items(s.body, "objects")) {
    std::string table = tree::dotted_name(tree::items(tree::unwrap(object).second, "items"));
    if (ctx.is_new_table(table)) continue;
    report(fmt::format("DROP TABLE {} outside a contract migration breaks code that still uses it",
                       table),
           {LockMode::kAccessExclusive, table},
           "stop using the table in the code first, then drop it in a migration marked "
           "-- ficus:phase contract (applied once the route is 100 % on the new code)");
  }
}

}  // namespace

extern const Rule kDroppingTable{"dropping-table", Severity::kError, Dialects::kPostgresAndSqlite,
                                 "DROP TABLE outside a contract-phase migration", check};

}  // namespace ficus::migrations::rules
