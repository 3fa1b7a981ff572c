// The lock each statement of a migration's up section takes, for `ficus migrate plan`.
//
//   for (const StatementLock& s : statement_locks(file, Dialect::kPostgres))
//     fmt::print("{}: {} takes {}\n", s.line, s.text, s.lock);
#pragma once

#include <string>
#include <vector>

#include "migrations/runner/dialect.h"
#include "migrations/runner/migration_file.h"

namespace ficus::migrations {

struct StatementLock {
  std::size_t line = 0;
  std::string text;
  std::string lock;    // "ACCESS EXCLUSIVE on users", "" when none worth naming
  std::string impact;  // what that lock does to traffic
};

// Throws MigrationError when the section does not parse.
std::vector<StatementLock> statement_locks(const MigrationFile& file, Dialect dialect);

}  // namespace ficus::migrations
