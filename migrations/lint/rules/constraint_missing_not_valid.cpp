// ADD FOREIGN KEY / CHECK without NOT VALID validates every existing row while holding the lock.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  auto [table, commands] = live_table_alters(s, ctx, "AT_AddConstraint");
  for (const tree::Json* cmd : commands) {
    auto [type, constraint] = tree::unwrap(tree::field(*cmd, "def"));
    std::string kind = tree::text(constraint, "contype");
    if ((kind != "CONSTR_FOREIGN" && kind != "CONSTR_CHECK") ||
        tree::flag(constraint, "skip_validation"))
      continue;
    std::string name = tree::text(constraint, "conname");
    if (name.empty()) name = "<name>";
    LockTaken lock{
        kind == "CONSTR_FOREIGN" ? LockMode::kShareRowExclusive : LockMode::kAccessExclusive,
        table};
    report(fmt::format("ADD {} constraint without NOT VALID checks every row of {} while holding "
                       "the lock{}",
                       kind == "CONSTR_FOREIGN" ? "FOREIGN KEY" : "CHECK", table,
                       kind == "CONSTR_FOREIGN" ? " (and locks the referenced table too)" : ""),
           lock,
           fmt::format("ADD CONSTRAINT {1} ... NOT VALID (instant; new rows are checked), then "
                       "ALTER TABLE {0} VALIDATE CONSTRAINT {1} in a later migration (SHARE UPDATE "
                       "EXCLUSIVE: reads and writes continue)",
                       table, name));
  }
}

}  // namespace

extern const Rule kConstraintMissingNotValid{
    "constraint-missing-not-valid", Severity::kError, Dialects::kPostgresOnly,
    "ADD FOREIGN KEY / CHECK without NOT VALID scans the table under lock", check};

}  // namespace ficus::migrations::rules
