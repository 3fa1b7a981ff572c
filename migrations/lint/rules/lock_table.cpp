// An explicit LOCK TABLE in a migration holds the lock until the migration commits.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext&, Reporter& report) {
  if (s.type != "LockStmt") return;
  report(fmt::format("LOCK TABLE {} holds {} until the migration commits", s.lock.table,
                     lock_mode_name(s.lock.mode)),
         s.lock,
         "drop the explicit lock: use statements that take weaker locks (CONCURRENTLY, NOT VALID "
         "+ VALIDATE) and keep each migration short");
}

}  // namespace

extern const Rule kLockTable{"lock-table", Severity::kError, Dialects::kPostgresOnly,
                             "explicit LOCK TABLE", check};

}  // namespace ficus::migrations::rules
