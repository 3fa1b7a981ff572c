// Evaluation of the compiled JSON Logic tree: json-logic-js's operators with its JavaScript
// coercions (see flags/value.h). Only if/?:, and, or and the array operators evaluate their
// arguments lazily; all others evaluate every argument first, as json-logic-js does.
#include <cmath>
#include <limits>
#include <string>

#include "flags/json_logic_node.h"
#include "flags/ops/fractional.h"
#include "flags/ops/sem_ver.h"
#include "flags/ops/string_comparison.h"

namespace ficus::flags::detail {
namespace {

Value arg(const Node& node, std::size_t i, Scope& scope) {
  return i < node.args.size() ? eval(node.args[i], scope) : Value();
}

std::span<Value> eval_all(const Node& node, Scope& scope) {
  std::span<Value> values = arena_values(scope.arena, node.args.size());
  for (std::size_t i = 0; i < node.args.size(); ++i) values[i] = eval(node.args[i], scope);
  return values;
}

// Splits off the next '.'-separated segment of a var path.
std::string_view next_segment(std::string_view& path) {
  const std::size_t dot = path.find('.');
  std::string_view segment = path.substr(0, dot);
  path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  return segment;
}

std::optional<std::size_t> array_index(std::string_view segment) {
  if (segment.empty() || segment.size() > 9) return std::nullopt;
  std::size_t index = 0;
  for (char c : segment) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  return index;
}

const nlohmann::json* navigate_json(const nlohmann::json* node, std::string_view path) {
  while (true) {
    const std::string_view segment = next_segment(path);
    if (node->is_object()) {
      const auto it = node->find(segment);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      const auto index = array_index(segment);
      if (!index || *index >= node->size()) return nullptr;
      node = &(*node)[*index];
    } else {
      return nullptr;
    }
    if (path.empty()) return node;
  }
}

std::optional<Value> navigate_value(Value value, std::string_view path, Arena& arena) {
  while (!path.empty()) {
    const std::string_view segment = next_segment(path);
    if (value.type() == Value::Type::object) {
      const nlohmann::json* found = navigate_json(&value.as_object(), segment);
      if (found == nullptr) return std::nullopt;
      value = Value::from_json(*found, arena);
    } else if (value.is_array()) {
      const auto index = array_index(segment);
      if (!index || *index >= value.as_array().size()) return std::nullopt;
      value = value.as_array()[*index];
    } else {
      return std::nullopt;
    }
  }
  return value;
}

Value whole_data(Scope& scope) {
  switch (scope.frame.kind) {
    case Frame::Kind::root:
      return scope.context.json() ? Value::object(*scope.context.json()) : Value();
    case Frame::Kind::element:
      return scope.frame.current;
    case Frame::Kind::reduce:
      return Value();  // {current, accumulator} is only reachable through its two names
  }
  return Value();
}

Value eval_var(const Node& node, Scope& scope) {
  std::optional<Value> found;
  const bool root = scope.frame.kind == Frame::Kind::root;
  switch (node.var_target) {
    case VarTarget::whole_data:
      found = whole_data(scope);
      break;
    case VarTarget::targeting_key:
      if (root && scope.context.json() == nullptr) {
        if (auto key = scope.context.targeting_key()) found = Value::string(*key);
        break;
      }
      found = lookup(*node.var_path, scope);
      break;
    case VarTarget::flag_key:
      found = root ? Value::string(scope.flag_key) : lookup(*node.var_path, scope);
      break;
    case VarTarget::timestamp:
      found = root ? Value::number(static_cast<double>(scope.context.timestamp()))
                   : lookup(*node.var_path, scope);
      break;
    case VarTarget::path:
      found = lookup(*node.var_path, scope);
      break;
    case VarTarget::dynamic: {
      const Value path = arg(node, 0, scope);
      if (path.is_null()) {
        found = whole_data(scope);
      } else {
        const std::string_view text = to_js_string(path, scope.arena);
        found = text.empty() ? whole_data(scope) : lookup(text, scope);
      }
      break;
    }
  }
  if (found) return *found;
  return arg(node, 1, scope);  // the default, evaluated only when needed
}

Value eval_missing_keys(std::span<const Value> keys, Scope& scope) {
  std::span<Value> missing = arena_values(scope.arena, keys.size());
  std::size_t count = 0;
  for (const Value& key : keys) {
    const auto found = lookup(to_js_string(key, scope.arena), scope);
    if (!found || found->is_null() || (found->is_string() && found->as_string().empty())) {
      missing[count++] = key;
    }
  }
  return Value::array(missing.first(count));
}

Value eval_missing(const Node& node, Scope& scope) {
  const std::span<Value> args = eval_all(node, scope);
  if (!args.empty() && args[0].is_array()) return eval_missing_keys(args[0].as_array(), scope);
  return eval_missing_keys(args, scope);
}

Value eval_missing_some(const Node& node, Scope& scope) {
  const Value need = arg(node, 0, scope);
  const Value options = arg(node, 1, scope);
  const std::span<const Value> keys =
      options.is_array() ? options.as_array() : std::span<const Value>();
  const Value missing = eval_missing_keys(keys, scope);
  const double present = static_cast<double>(keys.size() - missing.as_array().size());
  if (present >= to_number(need)) return Value::array({});
  return missing;
}

Value eval_if(const Node& node, Scope& scope) {
  std::size_t i = 0;
  for (; i + 1 < node.args.size(); i += 2) {
    if (truthy(eval(node.args[i], scope))) return eval(node.args[i + 1], scope);
  }
  if (i + 1 == node.args.size()) return eval(node.args[i], scope);
  return Value();
}

Value eval_and_or(const Node& node, Scope& scope, bool is_and) {
  Value current;
  for (const Node& a : node.args) {
    current = eval(a, scope);
    if (truthy(current) != is_and) return current;
  }
  return current;
}

bool compare(const Node& node, Scope& scope, bool (*accept)(int)) {
  const std::span<Value> args = eval_all(node, scope);
  const Value a = args.size() > 0 ? args[0] : Value();
  const Value b = args.size() > 1 ? args[1] : Value();
  const auto ab = js_compare(a, b, scope.arena);
  if (!ab || !accept(*ab)) return false;
  if (args.size() > 2 && (node.op == Op::less || node.op == Op::less_or_equal)) {
    const auto bc = js_compare(b, args[2], scope.arena);  // the "between" form
    return bc && accept(*bc);
  }
  return true;
}

Value eval_in(const Node& node, Scope& scope) {
  const Value needle = arg(node, 0, scope);
  const Value haystack = arg(node, 1, scope);
  if (haystack.is_string()) {
    return Value::boolean(haystack.as_string().find(to_js_string(needle, scope.arena)) !=
                          std::string_view::npos);
  }
  if (haystack.is_array()) {
    for (const Value& item : haystack.as_array()) {
      if (strict_equals(item, needle)) return Value::boolean(true);
    }
  }
  return Value::boolean(false);
}

Value eval_cat(const Node& node, Scope& scope) {
  std::pmr::string text(&scope.arena);
  for (const Node& a : node.args) text += to_js_string(eval(a, scope), scope.arena);
  return Value::string(arena_string(scope.arena, text));
}

// Byte offset of code point number `index` (clamped to the end).
std::size_t code_point_offset(std::string_view s, std::size_t index) {
  std::size_t offset = 0;
  while (offset < s.size() && index > 0) {
    ++offset;
    while (offset < s.size() && (static_cast<unsigned char>(s[offset]) & 0xC0) == 0x80) ++offset;
    --index;
  }
  return offset;
}

std::size_t code_point_count(std::string_view s) {
  std::size_t count = 0;
  for (char c : s) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

double to_integer(double n) {
  return std::isnan(n) ? 0 : std::trunc(n);
}

// String.prototype.substr over code points (JavaScript counts UTF-16 units; the two agree
// except for characters outside the Basic Multilingual Plane).
std::string_view js_substr(std::string_view s, double start, std::optional<double> length) {
  const double size = static_cast<double>(code_point_count(s));
  double from = to_integer(start);
  if (from < 0) from = std::max(size + from, 0.0);
  from = std::min(from, size);
  double count = length ? std::clamp(to_integer(*length), 0.0, size - from) : size - from;
  const std::size_t begin = code_point_offset(s, static_cast<std::size_t>(from));
  const std::string_view rest = s.substr(begin);
  return rest.substr(0, code_point_offset(rest, static_cast<std::size_t>(count)));
}

Value eval_substr(const Node& node, Scope& scope) {
  const std::string_view source = to_js_string(arg(node, 0, scope), scope.arena);
  const double start = to_number(arg(node, 1, scope));
  if (node.args.size() < 3) return Value::string(js_substr(source, start, std::nullopt));
  const double end = to_number(arg(node, 2, scope));
  if (end < 0) {
    const std::string_view rest = js_substr(source, start, std::nullopt);
    return Value::string(js_substr(rest, 0, static_cast<double>(code_point_count(rest)) + end));
  }
  return Value::string(js_substr(source, start, end));
}

Value eval_arithmetic(const Node& node, Scope& scope) {
  const std::span<Value> args = eval_all(node, scope);
  switch (node.op) {
    case Op::add: {
      double sum = 0;
      for (const Value& v : args) sum += parse_float(v);
      return Value::number(sum);
    }
    case Op::multiply: {
      if (args.empty()) return Value();
      double product = parse_float(args[0]);
      for (std::size_t i = 1; i < args.size(); ++i) product *= parse_float(args[i]);
      return Value::number(product);
    }
    case Op::subtract:
      if (args.size() == 1) return Value::number(-to_number(args[0]));
      return Value::number(to_number(args.size() > 0 ? args[0] : Value()) -
                           to_number(args.size() > 1 ? args[1] : Value()));
    case Op::divide:
      return Value::number(to_number(args.size() > 0 ? args[0] : Value()) /
                           to_number(args.size() > 1 ? args[1] : Value()));
    case Op::modulo:
      return Value::number(std::fmod(to_number(args.size() > 0 ? args[0] : Value()),
                                     to_number(args.size() > 1 ? args[1] : Value())));
    case Op::min:
    case Op::max: {
      const bool is_min = node.op == Op::min;
      double best = is_min ? std::numeric_limits<double>::infinity()
                           : -std::numeric_limits<double>::infinity();
      for (const Value& v : args) {
        const double n = to_number(v);
        if (std::isnan(n)) return Value::number(n);
        best = is_min ? std::min(best, n) : std::max(best, n);
      }
      return Value::number(best);
    }
    default:
      return Value();
  }
}

Value eval_merge(const Node& node, Scope& scope) {
  const std::span<Value> args = eval_all(node, scope);
  std::size_t count = 0;
  for (const Value& v : args) count += v.is_array() ? v.as_array().size() : 1;
  std::span<Value> merged = arena_values(scope.arena, count);
  std::size_t i = 0;
  for (const Value& v : args) {
    if (v.is_array()) {
      for (const Value& item : v.as_array()) merged[i++] = item;
    } else {
      merged[i++] = v;
    }
  }
  return Value::array(merged);
}

// map, filter, reduce, all, some, none: the second argument runs once per element.
Value eval_array_operation(const Node& node, Scope& scope) {
  const Value source = arg(node, 0, scope);
  const std::span<const Value> items =
      source.is_array() ? source.as_array() : std::span<const Value>();
  const Frame saved = scope.frame;
  auto run = [&](const Value& item) {
    scope.frame = Frame{Frame::Kind::element, item, Value()};
    const Value result = node.args.size() > 1 ? eval(node.args[1], scope) : Value();
    scope.frame = saved;
    return result;
  };
  switch (node.op) {
    case Op::map: {
      std::span<Value> mapped = arena_values(scope.arena, items.size());
      for (std::size_t i = 0; i < items.size(); ++i) mapped[i] = run(items[i]);
      return Value::array(mapped);
    }
    case Op::filter: {
      std::span<Value> kept = arena_values(scope.arena, items.size());
      std::size_t count = 0;
      for (const Value& item : items) {
        if (truthy(run(item))) kept[count++] = item;
      }
      return Value::array(kept.first(count));
    }
    case Op::reduce: {
      Value accumulator = arg(node, 2, scope);
      if (!source.is_array()) return accumulator;
      for (const Value& item : items) {
        scope.frame = Frame{Frame::Kind::reduce, item, accumulator};
        accumulator = node.args.size() > 1 ? eval(node.args[1], scope) : Value();
        scope.frame = saved;
      }
      return accumulator;
    }
    case Op::all: {
      if (items.empty()) return Value::boolean(false);
      for (const Value& item : items) {
        if (!truthy(run(item))) return Value::boolean(false);
      }
      return Value::boolean(true);
    }
    case Op::some:
    case Op::none: {
      bool any = false;
      for (const Value& item : items) {
        if (truthy(run(item))) {
          any = true;
          break;
        }
      }
      return Value::boolean(node.op == Op::some ? any : !any);
    }
    default:
      return Value();
  }
}

}  // namespace

std::optional<Value> lookup(std::string_view path, Scope& scope) {
  switch (scope.frame.kind) {
    case Frame::Kind::element:
      return navigate_value(scope.frame.current, path, scope.arena);
    case Frame::Kind::reduce: {
      const std::string_view head = next_segment(path);
      if (head == "current") return navigate_value(scope.frame.current, path, scope.arena);
      if (head == "accumulator") return navigate_value(scope.frame.accumulator, path, scope.arena);
      return std::nullopt;
    }
    case Frame::Kind::root:
      break;
  }
  // flagd injects $flagd.flagKey and $flagd.timestamp, overriding anything in the context.
  if (path.starts_with("$flagd.")) {
    const std::string_view field = path.substr(7);
    if (field == "flagKey") return Value::string(scope.flag_key);
    if (field == "timestamp") return Value::number(static_cast<double>(scope.context.timestamp()));
    return std::nullopt;
  }
  if (const nlohmann::json* json = scope.context.json()) {
    const nlohmann::json* found = navigate_json(json, path);
    if (found == nullptr) return std::nullopt;
    return Value::from_json(*found, scope.arena);
  }
  if (path == "targetingKey") {
    const auto key = scope.context.targeting_key();
    return key ? std::optional<Value>(Value::string(*key)) : std::nullopt;
  }
  if (const AttributeResolver* attributes = scope.context.attributes()) {
    if (const auto value = attributes->attribute(path)) return Value::string(*value);
  }
  return std::nullopt;
}

Value eval(const Node& node, Scope& scope) {
  switch (node.op) {
    case Op::literal:
      return node.constant;
    case Op::array:
      return node.constant.is_array() ? node.constant : Value::array(eval_all(node, scope));
    case Op::var:
      return eval_var(node, scope);
    case Op::missing:
      return eval_missing(node, scope);
    case Op::missing_some:
      return eval_missing_some(node, scope);
    case Op::if_:
      return eval_if(node, scope);
    case Op::equals:
      return Value::boolean(loose_equals(arg(node, 0, scope), arg(node, 1, scope)));
    case Op::strict_equals:
      return Value::boolean(strict_equals(arg(node, 0, scope), arg(node, 1, scope)));
    case Op::not_equals:
      return Value::boolean(!loose_equals(arg(node, 0, scope), arg(node, 1, scope)));
    case Op::strict_not_equals:
      return Value::boolean(!strict_equals(arg(node, 0, scope), arg(node, 1, scope)));
    case Op::negate:
      return Value::boolean(!truthy(arg(node, 0, scope)));
    case Op::double_negate:
      return Value::boolean(truthy(arg(node, 0, scope)));
    case Op::or_:
      return eval_and_or(node, scope, false);
    case Op::and_:
      return eval_and_or(node, scope, true);
    case Op::greater:
      return Value::boolean(compare(node, scope, [](int c) { return c > 0; }));
    case Op::greater_or_equal:
      return Value::boolean(compare(node, scope, [](int c) { return c >= 0; }));
    case Op::less:
      return Value::boolean(compare(node, scope, [](int c) { return c < 0; }));
    case Op::less_or_equal:
      return Value::boolean(compare(node, scope, [](int c) { return c <= 0; }));
    case Op::in:
      return eval_in(node, scope);
    case Op::cat:
      return eval_cat(node, scope);
    case Op::substr:
      return eval_substr(node, scope);
    case Op::add:
    case Op::subtract:
    case Op::multiply:
    case Op::divide:
    case Op::modulo:
    case Op::min:
    case Op::max:
      return eval_arithmetic(node, scope);
    case Op::merge:
      return eval_merge(node, scope);
    case Op::map:
    case Op::filter:
    case Op::reduce:
    case Op::all:
    case Op::some:
    case Op::none:
      return eval_array_operation(node, scope);
    case Op::log:
      return arg(node, 0, scope);
    case Op::fractional:
      return evaluate_fractional(node, scope);
    case Op::sem_ver:
      return ops::sem_ver(eval_all(node, scope), scope.arena);
    case Op::starts_with:
      return ops::starts_with(eval_all(node, scope));
    case Op::ends_with:
      return ops::ends_with(eval_all(node, scope));
  }
  return Value();
}

}  // namespace ficus::flags::detail
