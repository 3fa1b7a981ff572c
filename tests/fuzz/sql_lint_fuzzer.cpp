// libFuzzer target: a migration file from arbitrary bytes through everything `ficus migrate lint`
// and `up` do before touching a database: the file parser (sections, directives), statement
// splitting (libpg_query for PostgreSQL, SQLite's tokenizer), PostgreSQL's scanner as the batched
// backfill uses it, and the linter in both dialects.
#include <cstddef>
#include <cstdint>
#include <string>

#include "migrations/lint/linter.h"
#include "migrations/runner/migration_error.h"
#include "migrations/runner/migration_file.h"
#include "migrations/runner/sql_tokens.h"
#include "migrations/runner/statements.h"

namespace m = ficus::migrations;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)m::scan_tokens(text);
  } catch (const m::MigrationError&) {
  }
  m::MigrationFile file;
  try {
    file = m::parse_migration_file("fuzz.sql", text, m::FileNaming::kAnyName);
  } catch (const m::MigrationError&) {
    return 0;
  }
  for (auto dialect : {m::Dialect::kPostgres, m::Dialect::kSqlite}) {
    try {
      for (const auto& statement : m::split_statements(dialect, file.up, file.path)) {
        (void)m::statement_summary(statement.text);
      }
    } catch (const m::MigrationError&) {
    }
    auto findings = m::lint_migration(file, {.dialect = dialect, .lock_timeout_ms = 5000});
    (void)m::has_blocking_errors(findings);
  }
  return 0;
}
