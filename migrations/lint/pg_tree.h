// Helpers for reading libpg_query's JSON parse tree (nlohmann::json), where every node is a
// one-key object such as {"AlterTableStmt": {...}} and absent fields mean false/0/empty.
//
//   auto [type, body] = unwrap(stmt);                 // "AlterTableStmt", {...}
//   std::string table = relation_name(body["relation"]);
//   for (const auto& cmd : items(body, "cmds")) ...;
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ficus::migrations::pg_tree {

using Json = nlohmann::json;

// The node's type name and its fields; ("", empty object) when `node` is not a one-key object.
std::pair<std::string_view, const Json&> unwrap(const Json& node);
// `obj[key]`, or an empty object when absent (nlohmann's const operator[] must not miss).
const Json& field(const Json& obj, std::string_view key);
// The AlterTableCmd bodies of an AlterTableStmt body.
std::vector<const Json*> alter_cmds(const Json& alter_table);
// `obj[key]` as an array, or an empty array when absent.
const Json& items(const Json& obj, std::string_view key);
// `obj[key]` as a string, or "" when absent.
std::string text(const Json& obj, std::string_view key);
// `obj[key]` as a bool, false when absent.
bool flag(const Json& obj, std::string_view key);
// "schema.table" or "table" from a RangeVar body (wrapped or not).
std::string relation_name(const Json& range_var);
// The dotted name of a list of String nodes (function names, type names, DROP objects).
std::string dotted_name(const Json& string_list);
// Calls `visit(type, body)` for every node below `node`, depth first.
void walk(const Json& node, const std::function<void(std::string_view, const Json&)>& visit);

}  // namespace ficus::migrations::pg_tree
