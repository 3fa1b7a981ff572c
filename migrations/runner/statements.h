// Splits a migration section into its SQL statements, each with the file line it starts on, so
// errors and lint findings can point at `file:line`. PostgreSQL uses the real parser
// (libpg_query's pg_query_split_with_parser); SQLite uses sqlite3_complete(), SQLite's own
// tokenizer, because sqlite3_prepare_v2 needs the tables to exist and we split without a database
// (the SQLite driver still runs each piece with sqlite3_prepare_v2 and its tail pointer).
//
//   for (const Statement& s : split_statements(Dialect::kPostgres, file.up, file.path))
//     fmt::print("{}:{} {}\n", file.path, s.line, s.text);
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "migrations/runner/dialect.h"
#include "migrations/runner/migration_file.h"

namespace ficus::migrations {

struct Statement {
  std::string text;        // without leading comments and the trailing semicolon
  std::size_t offset = 0;  // byte offset of `text` in the section's SQL
  std::size_t line = 0;    // 1-based file line where `text` starts
};

// Throws MigrationError naming `path:line` and the parser's message when the SQL does not parse.
std::vector<Statement> split_statements(Dialect dialect, const Section& section,
                                        const std::string& path);

// Offset of the first byte in `sql[from, to)` that is not whitespace or a comment.
std::size_t skip_space_and_comments(std::string_view sql, std::size_t from, std::size_t to);

// The first line of a statement, shortened for messages.
std::string statement_summary(std::string_view text, std::size_t max_chars = 80);

}  // namespace ficus::migrations
