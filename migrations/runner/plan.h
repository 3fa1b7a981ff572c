// `ficus migrate plan`: a dry run. For each pending migration: whether it runs in a transaction,
// its statements with the lock each takes, the lint findings, and whether the pre-apply gate
// would refuse it. Nothing is executed and nothing is created in the database.
//
//   std::cout << format_plan(plan_pending(db, options));
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "migrations/lint/finding.h"
#include "migrations/lint/statement_locks.h"
#include "migrations/runner/driver.h"
#include "migrations/runner/runner.h"

namespace ficus::migrations {

struct PlannedMigration {
  MigrationFile file;
  std::vector<StatementLock> statements;
  std::vector<Finding> findings;
  std::optional<std::string> gate_refusal;
  std::int64_t lock_timeout_ms = 0;
  std::int64_t statement_timeout_ms = 0;
};

std::vector<PlannedMigration> plan_pending(MigrationDriver& db, const RunOptions& options);
std::string format_plan(const std::vector<PlannedMigration>& plan, const RunOptions& options);

}  // namespace ficus::migrations
