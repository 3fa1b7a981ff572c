// Runs an UPDATE marked `-- ficus:batch key=id size=1000 sleep_ms=50` in key-ordered batches,
// each in its own transaction together with its progress row in ficus_backfill_progress, so a
// killed run resumes after the last committed batch and never updates a row twice. Shows a
// progress bar (rows, rows/s, ETA) on a terminal and plain log lines otherwise.
//
//   BatchedUpdate update(db, history, file, statement, batch);
//   update.run(std::cout, /*terminal=*/isatty(1));
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "migrations/runner/driver.h"
#include "migrations/runner/history.h"
#include "migrations/runner/migration_file.h"
#include "migrations/runner/statements.h"

namespace ficus::migrations {

struct BatchRetry {
  int lock_retries = 3;
  std::int64_t backoff_ms = 1000;
};

class BatchedUpdate {
 public:
  // Throws MigrationError (naming file:line) when the statement is not a single-table UPDATE.
  BatchedUpdate(MigrationDriver& db, History& history, const MigrationFile& file,
                const Statement& statement, const BatchDirective& batch);

  // Returns the number of rows updated in this run (0 when a previous run finished it).
  std::int64_t run(std::ostream& out, bool terminal, BatchRetry retry = {});

  // The UPDATE restricted to one key range: `first` batches have no lower bound.
  const std::string& batch_sql(bool first) const { return first ? first_sql_ : next_sql_; }

 private:
  MigrationDriver& db_;
  History& history_;
  const MigrationFile& file_;
  const Statement& statement_;
  const BatchDirective& batch_;
  std::string table_;
  std::string first_sql_;
  std::string next_sql_;
  std::string first_bound_sql_;
  std::string next_bound_sql_;
};

}  // namespace ficus::migrations
