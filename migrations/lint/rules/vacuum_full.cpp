// VACUUM FULL rewrites the table under ACCESS EXCLUSIVE.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext&, Reporter& report) {
  if (s.type != "VacuumStmt" || s.lock.mode != LockMode::kAccessExclusive) return;
  report(fmt::format("VACUUM FULL rewrites {} while blocking every query on it",
                     s.lock.table.empty() ? "every table" : s.lock.table),
         s.lock, "run plain VACUUM (no lock on traffic), or pg_repack outside migrations");
}

}  // namespace

extern const Rule kVacuumFull{"vacuum-full", Severity::kError, Dialects::kPostgresOnly,
                              "VACUUM FULL rewrites the table under ACCESS EXCLUSIVE", check};

}  // namespace ficus::migrations::rules
