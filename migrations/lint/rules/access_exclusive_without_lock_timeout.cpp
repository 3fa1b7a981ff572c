// A statement that needs ACCESS EXCLUSIVE with no lock_timeout in force: if a long transaction
// holds any lock on the table, the statement waits, and every query after it queues behind it:
// a full outage of the table for as long as that transaction runs. The runner sets lock_timeout
// (5 s by default), so this fires when that is turned off (--lock-timeout 0) or the file does
// SET lock_timeout = 0 / RESET.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  if (ctx.lock_timeout_in_force || s.lock.mode != LockMode::kAccessExclusive) return;
  if (ctx.is_new_table(s.lock.table)) return;
  report(
      "takes ACCESS EXCLUSIVE with no lock_timeout in force: if it has to wait, all traffic to "
      "the table queues behind it",
      s.lock,
      "keep the runner's lock_timeout on (--lock-timeout 5s, the default) or SET lock_timeout "
      "= '5s' before the statement; the runner retries on timeout");
}

}  // namespace

extern const Rule kAccessExclusiveWithoutLockTimeout{
    "access-exclusive-without-lock-timeout", Severity::kError, Dialects::kPostgresOnly,
    "ACCESS EXCLUSIVE with no lock_timeout in force", check};

}  // namespace ficus::migrations::rules
