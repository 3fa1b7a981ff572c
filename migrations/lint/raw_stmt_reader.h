// Reads libpg_query's JSON parse tree one statement at a time, through nlohmann's SAX interface
// (nlohmann::json::sax_parse), so that only one statement's tree is ever built.
//
// Why: libpg_query's JSON is about 7.5 times the size of the SQL (4.3 MB for a 14,000-line
// migration). Building one nlohmann::json for all of it, copying each statement out and freeing
// it all at the end cost about two thirds of the lint time; building each statement's tree, linting
// it and freeing it while it is still in cache is what keeps the linter under 100 ms on such a file
// (bench/migrations/lint_bench.cpp, numbers in bench/RESULTS.md). Every statement's tree is still
// complete: rules see exactly what nlohmann::json::parse would have given them.
//
//   PgQueryParseResult result = pg_query_parse(sql.c_str());
//   for_each_raw_stmt(result.parse_tree, [&](nlohmann::json& raw_stmt) {
//     // {"stmt": {"AlterTableStmt": {...}}, "stmt_location": 42, "stmt_len": 17}
//   });
#pragma once

#include <functional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ficus::migrations::pg_tree {

// Calls `visit` with each element of the top-level "stmts" array, in order. The tree passed to
// `visit` is destroyed when it returns (it may be moved from). Throws MigrationError if the text
// is not JSON, which would be a libpg_query bug.
void for_each_raw_stmt(std::string_view parse_tree_json,
                       const std::function<void(nlohmann::json& raw_stmt)>& visit);

}  // namespace ficus::migrations::pg_tree
