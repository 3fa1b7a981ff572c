// SET NOT NULL on an existing column scans the whole table under ACCESS EXCLUSIVE.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  auto [table, commands] = live_table_alters(s, ctx, "AT_SetNotNull");
  for (const tree::Json* cmd : commands) {
    std::string col = tree::text(*cmd, "name");
    report(fmt::format("SET NOT NULL on {}.{} scans every row of {} while holding its lock", table,
                       col, table),
           s.lock,
           fmt::format("ALTER TABLE {0} ADD CONSTRAINT {1}_not_null CHECK ({1} IS NOT NULL) NOT "
                       "VALID; then, in a later migration, ALTER TABLE {0} VALIDATE CONSTRAINT "
                       "{1}_not_null (SHARE UPDATE EXCLUSIVE, traffic continues); SET NOT NULL "
                       "afterwards uses the valid CHECK and skips the scan",
                       table, col));
  }
}

}  // namespace

extern const Rule kSettingNotNull{"setting-not-null", Severity::kError, Dialects::kPostgresOnly,
                                  "SET NOT NULL scans the table under ACCESS EXCLUSIVE", check};

}  // namespace ficus::migrations::rules
