// The tokens of one SQL statement from PostgreSQL's own scanner (libpg_query pg_query_scan), so
// code that must edit a statement (the batched backfill adds a key range to an UPDATE's WHERE)
// finds keywords by token, never by searching raw text where a string or comment could fool it.
//
//   for (const SqlToken& t : scan_tokens("UPDATE t SET a = 'WHERE' WHERE b"))
//     if (t.kind == SqlToken::kWhere && t.depth == 0) ...;  // the real WHERE, not the string
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ficus::migrations {

struct SqlToken {
  // Values of pg_query.proto's `Token` enum that callers look for.
  static constexpr int kOpenParen = 40;
  static constexpr int kCloseParen = 41;
  static constexpr int kReturning = 606;
  static constexpr int kWhere = 713;

  std::size_t start = 0;  // byte offsets into the scanned text
  std::size_t end = 0;
  int kind = 0;
  int depth = 0;  // parenthesis depth at the token (0: top level of the statement)
};

// Throws MigrationError when the text does not scan.
std::vector<SqlToken> scan_tokens(const std::string& sql);

}  // namespace ficus::migrations
