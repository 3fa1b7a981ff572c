// Linting speed: a generated 14,000-line PostgreSQL migration must lint in under 100 ms
// (docs/migrate.md; numbers and how to run it: bench/RESULTS.md). The file mixes multi-line
// CREATE TABLEs, ALTERs, indexes, INSERTs and UPDATEs, comments and strings, so the parser, the
// JSON tree and every rule all do real work.
#include <benchmark/benchmark.h>

#include <string>

#include <fmt/format.h>

#include "migrations/lint/linter.h"
#include "migrations/lint/statement_locks.h"
#include "migrations/runner/migration_file.h"

namespace {

std::string generated_migration(int lines) {
  std::string sql = "-- ficus:no-transaction\n-- ficus:up\n";
  int written = 2;
  for (int i = 0; written < lines; ++i) {
    sql += fmt::format(
        "-- block {0}: a comment with 'quotes' and ALTER TABLE words\n"
        "CREATE TABLE t{0} (\n"
        "  id bigint PRIMARY KEY,\n"
        "  name text NOT NULL DEFAULT 'DROP TABLE x;',\n"
        "  created_at timestamptz DEFAULT now()\n"
        ");\n"
        "ALTER TABLE users{1} ADD COLUMN c{0} text;\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS i{0} ON users{1} (c{0});\n"
        "INSERT INTO t{0} (id, name) VALUES ({0}, 'row {0}'), ({0} + 1, 'next');\n"
        "UPDATE users{1} SET c{0} = 'x' WHERE id = {0};\n",
        i, i % 10);
    written += 10;
  }
  return sql;
}

void BM_Lint14000LineMigration(benchmark::State& state) {
  std::string text = generated_migration(14000);
  ficus::migrations::MigrationFile file = ficus::migrations::parse_migration_file(
      "20240101000000_big.sql", text, ficus::migrations::FileNaming::kVersioned);
  ficus::migrations::LintOptions options;
  std::size_t findings = 0;
  for (auto _ : state) {
    auto result = ficus::migrations::lint_migration(file, options);
    findings = result.size();
    benchmark::DoNotOptimize(result);
  }
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["bytes"] = static_cast<double>(text.size());
}
BENCHMARK(BM_Lint14000LineMigration)->Unit(benchmark::kMillisecond);

// `ficus migrate plan` lists each statement's lock on top of linting.
void BM_StatementLocks14000LineMigration(benchmark::State& state) {
  std::string text = generated_migration(14000);
  ficus::migrations::MigrationFile file = ficus::migrations::parse_migration_file(
      "20240101000000_big.sql", text, ficus::migrations::FileNaming::kVersioned);
  for (auto _ : state) {
    auto locks = ficus::migrations::statement_locks(file, ficus::migrations::Dialect::kPostgres);
    benchmark::DoNotOptimize(locks);
  }
}
BENCHMARK(BM_StatementLocks14000LineMigration)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
