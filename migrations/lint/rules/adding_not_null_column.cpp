// ADD COLUMN ... NOT NULL without a DEFAULT: fails outright on a table that has rows.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  auto [table, commands] = live_table_alters(s, ctx, "AT_AddColumn");
  for (const tree::Json* cmd : commands) {
    const tree::Json& column = tree::unwrap(tree::field(*cmd, "def")).second;
    bool not_null = false;
    bool has_default = false;
    for (const tree::Json& constraint : tree::items(column, "constraints")) {
      std::string type = tree::text(tree::unwrap(constraint).second, "contype");
      not_null = not_null || type == "CONSTR_NOTNULL" || type == "CONSTR_PRIMARY";
      has_default = has_default || type == "CONSTR_DEFAULT" || type == "CONSTR_IDENTITY" ||
                    type == "CONSTR_GENERATED";
    }
    if (!not_null || has_default) continue;
    std::string col = tree::text(column, "colname");
    report(fmt::format("ADD COLUMN {} NOT NULL without a DEFAULT fails as soon as {} has a row "
                       "(existing rows would hold NULL)",
                       col, table),
           s.lock,
           fmt::format("add the column nullable; backfill it in batches (-- ficus:phase backfill, "
                       "-- ficus:batch); ALTER TABLE {0} ADD CONSTRAINT {1}_not_null CHECK ({1} IS "
                       "NOT NULL) NOT VALID; ALTER TABLE {0} VALIDATE CONSTRAINT {1}_not_null; "
                       "then ALTER TABLE {0} ALTER COLUMN {1} SET NOT NULL (uses the valid CHECK, "
                       "no scan) and drop the CHECK",
                       table, col));
  }
}

}  // namespace

extern const Rule kAddingNotNullColumn{
    "adding-not-null-column", Severity::kError, Dialects::kPostgresAndSqlite,
    "ADD COLUMN ... NOT NULL without DEFAULT fails on existing rows", check};

}  // namespace ficus::migrations::rules
