// Lints a migration's up section against the zero-downtime rules in migrations/lint/rules/,
// reading the real parse tree (libpg_query for PostgreSQL; for SQLite, statements are split with
// SQLite's tokenizer, syntax-checked with sqlite3_prepare_v2, and the rules that apply run on the
// PostgreSQL parse tree of each statement the PostgreSQL parser also reads).
//
//   LintOptions options;  // PostgreSQL, runner lock_timeout 5 s
//   for (const Finding& f : lint_migration(read_migration_file(path), options)) ...;
//   if (has_blocking_errors(findings)) ...;  // `up` refuses unless --allow-unsafe
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "migrations/lint/finding.h"
#include "migrations/lint/rule.h"
#include "migrations/runner/migration_file.h"

namespace ficus::migrations {

struct LintOptions {
  Dialect dialect = Dialect::kPostgres;
  std::int64_t lock_timeout_ms = 5000;  // what the runner will SET; 0 means none
};

// Findings in file order. A file that does not parse yields one `parse-error` finding naming the
// line and the parser's message. Findings covered by `-- ficus:allow` are kept, marked allowed.
std::vector<Finding> lint_migration(const MigrationFile& file, const LintOptions& options);

// Every rule, in documentation order.
const std::vector<const Rule*>& all_rules();
const Rule* find_rule(std::string_view id);

// Error-level findings that no `-- ficus:allow` covers.
bool has_blocking_errors(const std::vector<Finding>& findings);

// Ids of the findings the linter emits that are not rules (they cannot be allowed).
inline constexpr std::string_view kParseErrorId = "parse-error";
inline constexpr std::string_view kBadDirectiveId = "invalid-directive";

}  // namespace ficus::migrations
