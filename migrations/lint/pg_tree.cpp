#include "migrations/lint/pg_tree.h"

#include <cctype>

namespace ficus::migrations::pg_tree {
namespace {

const Json& empty_object() {
  static const Json kEmpty = Json::object();
  return kEmpty;
}

const Json& empty_array() {
  static const Json kEmpty = Json::array();
  return kEmpty;
}

}  // namespace

std::pair<std::string_view, const Json&> unwrap(const Json& node) {
  if (!node.is_object() || node.size() != 1) return {std::string_view(), empty_object()};
  auto it = node.begin();
  return {std::string_view(it.key()), it.value()};
}

const Json& field(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return empty_object();
  auto it = obj.find(key);
  return it != obj.end() ? *it : empty_object();
}

std::vector<const Json*> alter_cmds(const Json& alter_table) {
  std::vector<const Json*> out;
  for (const Json& cmd : items(alter_table, "cmds")) {
    auto [type, body] = unwrap(cmd);
    if (type == "AlterTableCmd") out.push_back(&body);
  }
  return out;
}

const Json& items(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return empty_array();
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : empty_array();
}

std::string text(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flag(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return false;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

std::string relation_name(const Json& range_var) {
  const Json* body = &range_var;
  if (range_var.is_object() && range_var.contains("RangeVar")) body = &field(range_var, "RangeVar");
  std::string schema = text(*body, "schemaname");
  std::string name = text(*body, "relname");
  return schema.empty() ? name : schema + "." + name;
}

std::string dotted_name(const Json& string_list) {
  std::string out;
  if (!string_list.is_array()) return out;
  for (const Json& item : string_list) {
    auto [type, body] = unwrap(item);
    if (type != "String") continue;
    if (!out.empty()) out += '.';
    out += text(body, "sval");
  }
  return out;
}

void walk(const Json& node, const std::function<void(std::string_view, const Json&)>& visit) {
  if (node.is_array()) {
    for (const Json& child : node) walk(child, visit);
    return;
  }
  if (!node.is_object()) return;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const Json& value = it.value();
    // A node is a one-key object whose key starts with an uppercase letter (FuncCall, A_Expr...).
    if (value.is_object() && !it.key().empty() &&
        std::isupper(static_cast<unsigned char>(it.key()[0])))
      visit(it.key(), value);
    walk(value, visit);
  }
}

}  // namespace ficus::migrations::pg_tree
