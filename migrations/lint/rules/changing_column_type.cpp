// ALTER COLUMN ... TYPE rewrites the table (and its indexes) under ACCESS EXCLUSIVE, and the
// old code still running reads and writes the old type.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  auto [table, commands] = live_table_alters(s, ctx, "AT_AlterColumnType");
  for (const tree::Json* cmd : commands) {
    std::string col = tree::text(*cmd, "name");
    report(fmt::format("ALTER COLUMN {} TYPE rewrites all of {} and its indexes while holding its "
                       "lock",
                       col, table),
           s.lock,
           fmt::format("expand/contract: add a new column of the new type; dual-write both columns "
                       "from the code; backfill the new column in batches; switch reads to it; "
                       "drop {} in a contract migration",
                       col));
  }
}

}  // namespace

extern const Rule kChangingColumnType{"changing-column-type", Severity::kError,
                                      Dialects::kPostgresOnly,
                                      "ALTER COLUMN ... TYPE rewrites the table", check};

}  // namespace ficus::migrations::rules
