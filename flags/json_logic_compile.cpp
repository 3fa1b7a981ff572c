// Turns a JSON Logic rule into a detail::Node tree and checks what can be checked before any
// request arrives: unknown operators, unresolved $ref, nesting depth, and (strict only) literal
// results that name no variant and malformed custom-operator arguments.
#include <algorithm>
#include <array>
#include <utility>

#include "flags/json_logic.h"
#include "flags/json_logic_node.h"
#include "flags/ops/fractional.h"
#include "flags/ops/sem_ver.h"

namespace ficus::flags {
namespace {

using detail::Node;
using detail::Op;
using nlohmann::json;

// Deep enough for any hand-written rule, shallow enough that evaluation cannot exhaust the stack.
constexpr int kMaxDepth = 64;

struct OperatorName {
  std::string_view name;
  Op op;
};

constexpr std::array<OperatorName, 39> kOperators{{
    {"var", Op::var},
    {"missing", Op::missing},
    {"missing_some", Op::missing_some},
    {"if", Op::if_},
    {"?:", Op::if_},
    {"==", Op::equals},
    {"===", Op::strict_equals},
    {"!=", Op::not_equals},
    {"!==", Op::strict_not_equals},
    {"!", Op::negate},
    {"!!", Op::double_negate},
    {"or", Op::or_},
    {"and", Op::and_},
    {">", Op::greater},
    {">=", Op::greater_or_equal},
    {"<", Op::less},
    {"<=", Op::less_or_equal},
    {"in", Op::in},
    {"cat", Op::cat},
    {"substr", Op::substr},
    {"+", Op::add},
    {"-", Op::subtract},
    {"*", Op::multiply},
    {"/", Op::divide},
    {"%", Op::modulo},
    {"min", Op::min},
    {"max", Op::max},
    {"merge", Op::merge},
    {"map", Op::map},
    {"filter", Op::filter},
    {"reduce", Op::reduce},
    {"all", Op::all},
    {"some", Op::some},
    {"none", Op::none},
    {"log", Op::log},
    {"fractional", Op::fractional},
    {"sem_ver", Op::sem_ver},
    {"starts_with", Op::starts_with},
    {"ends_with", Op::ends_with},
}};

std::string operator_list() {
  std::string names;
  for (const auto& entry : kOperators) names += std::string(entry.name) + ", ";
  return names.substr(0, names.size() - 2);
}

class Compiler {
 public:
  Compiler(const CompileOptions& options, std::vector<JsonPathError>& errors)
      : options_(options), errors_(errors) {}

  bool failed() const { return failed_; }

  // `result` says whether this node's value can become the flag's variant name.
  Node compile(const json& rule, const std::string& path, bool result, int depth) {
    if (depth > kMaxDepth) {
      fail(path, "rule nested deeper than " + std::to_string(kMaxDepth) + " levels; simplify it");
      return {};
    }
    if (rule.is_array()) return compile_array(rule, path, result, depth);
    if (rule.is_object() && rule.size() == 1) {
      const auto only = rule.begin();
      if (only.key() == "$ref") return compile_ref(only.value(), path, result, depth);
      return compile_operation(only.key(), only.value(), path + "." + only.key(), result, depth);
    }
    // Scalars and objects that are not a single-key rule are data, as in json-logic-js.
    Node node = literal(rule);
    if (result) check_result_literal(node, path);
    return node;
  }

 private:
  Node literal(const json& value) {
    Node node;
    node.op = Op::literal;
    if (value.is_string()) {
      node.text = std::make_unique<std::string>(value.get<std::string>());
      node.constant = Value::string(*node.text);
    } else if (value.is_object() || value.is_array()) {
      node.object = std::make_unique<json>(value);
      if (value.is_object()) node.constant = Value::object(*node.object);
    } else {
      node.constant = Value::from_json(value, *std::pmr::null_memory_resource());
    }
    return node;
  }

  Node compile_array(const json& rule, const std::string& path, bool result, int depth) {
    Node node;
    node.op = Op::array;
    bool all_literal = true;
    for (std::size_t i = 0; i < rule.size(); ++i) {
      node.args.push_back(compile(rule[i], path + "[" + std::to_string(i) + "]", false, depth + 1));
      all_literal = all_literal && node.args.back().op == Op::literal && !node.args.back().object;
    }
    if (all_literal) {
      // Constant arrays (e.g. the list of an `in`) are built once, here, not per evaluation.
      node.items = std::make_unique<std::vector<Value>>();
      for (const Node& arg : node.args) node.items->push_back(arg.constant);
      node.constant = Value::array(*node.items);
    }
    if (result) {
      strict_error(path, "an array cannot name a variant; return a variant name (a string)");
    }
    return node;
  }

  Node compile_ref(const json& name, const std::string& path, bool result, int depth) {
    if (!name.is_string()) {
      fail(path + ".$ref", "must be the name of an entry in \"$evaluators\"");
      return {};
    }
    const std::string& ref = name.get_ref<const std::string&>();
    const json* evaluators = options_.evaluators;
    if (evaluators == nullptr || !evaluators->is_object() || !evaluators->contains(ref)) {
      std::string known;
      if (evaluators != nullptr && evaluators->is_object()) {
        for (const auto& [key, unused] : evaluators->items())
          known += (known.empty() ? "" : ", ") + key;
      }
      fail(path + ".$ref", "no evaluator named \"" + ref + "\" in \"$evaluators\"" +
                               (known.empty() ? "; define it there" : " (defined: " + known + ")"));
      return {};
    }
    if (std::find(ref_stack_.begin(), ref_stack_.end(), ref) != ref_stack_.end()) {
      fail(path + ".$ref",
           "evaluator \"" + ref + "\" refers to itself through $ref; break the cycle");
      return {};
    }
    ref_stack_.push_back(ref);
    // Errors inside a shared evaluator name it, so one fix is clearly enough for every user.
    Node node = compile(evaluators->at(ref), "$evaluators." + ref, result, depth + 1);
    ref_stack_.pop_back();
    return node;
  }

  Node compile_operation(const std::string& name, const json& argument, const std::string& path,
                         bool result, int depth) {
    const auto found = std::find_if(kOperators.begin(), kOperators.end(),
                                    [&](const OperatorName& o) { return o.name == name; });
    if (found == kOperators.end()) {
      fail(path, "unknown operator \"" + name + "\"; supported: " + operator_list());
      return {};
    }
    Node node;
    node.op = found->op;
    // json-logic-js: a single argument need not be wrapped in an array.
    const json arguments = argument.is_array() ? argument : json::array({argument});
    for (std::size_t i = 0; i < arguments.size(); ++i) {
      node.args.push_back(compile(arguments[i], path + "[" + std::to_string(i) + "]",
                                  result && passes_result_through(node.op, i, arguments.size()),
                                  depth + 1));
    }
    switch (node.op) {
      case Op::var:
        plan_var(node);
        break;
      case Op::fractional:
        node.fractional = detail::plan_fractional(node.args);
        if (!node.fractional->problem.empty()) strict_error(path, node.fractional->problem);
        if (result && node.fractional->is_static) check_fractional_variants(node, path);
        break;
      case Op::sem_ver:
        check_sem_ver(node, path);
        break;
      case Op::starts_with:
      case Op::ends_with:
        if (node.args.size() != 2) {
          strict_error(path, "takes exactly two arguments: [value, " +
                                 std::string(node.op == Op::starts_with ? "prefix" : "suffix") +
                                 "]");
        }
        break;
      default:
        break;
    }
    return node;
  }

  // Operators that can return one of their arguments unchanged, so a literal there may become
  // the variant name.
  static bool passes_result_through(Op op, std::size_t index, std::size_t count) {
    switch (op) {
      case Op::if_:
        return index % 2 == 1 || index + 1 == count;  // then-branches and the final else
      case Op::or_:
      case Op::and_:
        return true;
      default:
        return false;
    }
  }

  static void plan_var(Node& node) {
    if (node.args.empty() || node.args[0].op != Op::literal) return;  // computed path
    const Value& path = node.args[0].constant;
    if (path.is_null()) {
      node.var_target = detail::VarTarget::whole_data;
      return;
    }
    std::string text;
    if (path.is_string()) {
      text = std::string(path.as_string());
    } else if (path.is_number()) {
      char buffer[32];
      text = std::string(format_js_number(path.as_number(), buffer));
    } else {
      return;
    }
    node.var_path = std::make_unique<std::string>(std::move(text));
    const std::string& p = *node.var_path;
    node.var_target = p.empty()                 ? detail::VarTarget::whole_data
                      : p == "targetingKey"     ? detail::VarTarget::targeting_key
                      : p == "$flagd.flagKey"   ? detail::VarTarget::flag_key
                      : p == "$flagd.timestamp" ? detail::VarTarget::timestamp
                                                : detail::VarTarget::path;
  }

  void check_sem_ver(const Node& node, const std::string& path) {
    if (node.args.size() != 3) {
      strict_error(path, "takes exactly three arguments: [version, operator, version]");
      return;
    }
    const Node& op = node.args[1];
    if (op.op == Op::literal &&
        (!op.constant.is_string() || !ops::is_sem_ver_operator(op.constant.as_string()))) {
      strict_error(path + "[1]", "unknown sem_ver operator; use one of = != < <= > >= ^ ~");
    }
    for (std::size_t i : {std::size_t{0}, std::size_t{2}}) {
      const Node& v = node.args[i];
      if (v.op == Op::literal && v.constant.is_string() &&
          !ops::parse_sem_ver(v.constant.as_string())) {
        strict_error(path + "[" + std::to_string(i) + "]",
                     "\"" + std::string(v.constant.as_string()) +
                         "\" is not a semantic version (expected e.g. 1.2.3, v1.2 or 1.2.3-rc.1)");
      }
    }
  }

  void check_fractional_variants(const Node& node, const std::string& path) {
    const std::size_t first = node.fractional->has_bucket_expression ? 1 : 0;
    for (std::size_t i = 0; i < node.fractional->variants.size(); ++i) {
      Node as_literal;
      as_literal.constant = node.fractional->variants[i];
      check_result_literal(as_literal, path + "[" + std::to_string(i + first) + "][0]");
    }
  }

  void check_result_literal(const Node& node, const std::string& path) {
    if (!options_.is_variant) return;
    const Value& v = node.constant;
    char buffer[32];
    std::string_view name;
    switch (v.type()) {
      case Value::Type::null:
        return;  // null means "use the default variant"
      case Value::Type::string:
        name = v.as_string();
        break;
      case Value::Type::boolean:
        name = v.as_boolean() ? "true" : "false";
        break;
      case Value::Type::number:
        name = format_js_number(v.as_number(), buffer);
        break;
      default:
        strict_error(path, "an object cannot name a variant; return a variant name (a string)");
        return;
    }
    if (!options_.is_variant(name)) {
      strict_error(path, "\"" + std::string(name) +
                             "\" is not a variant of this flag; return one of the keys of "
                             "\"variants\" (or null for the default variant)");
    }
  }

  void fail(const std::string& path, std::string message) {
    failed_ = true;
    errors_.push_back({path, std::move(message), false});
  }
  void strict_error(const std::string& path, std::string message) {
    errors_.push_back({path, std::move(message), true});
  }

  const CompileOptions& options_;
  std::vector<JsonPathError>& errors_;
  std::vector<std::string> ref_stack_;
  bool failed_ = false;
};

}  // namespace

Expression::Expression(std::unique_ptr<detail::Node> root) : root_(std::move(root)) {}
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;
Expression::~Expression() = default;

std::optional<Expression> Expression::compile(const nlohmann::json& rule, std::string_view path,
                                              const CompileOptions& options,
                                              std::vector<JsonPathError>& errors) {
  Compiler compiler(options, errors);
  auto root = std::make_unique<Node>(compiler.compile(rule, std::string(path), true, 0));
  if (compiler.failed()) return std::nullopt;
  return Expression(std::move(root));
}

Value Expression::evaluate(const EvalContext& context, std::string_view flag_key,
                           Arena& arena) const {
  detail::Scope scope{context, flag_key, arena};
  return detail::eval(*root_, scope);
}

}  // namespace ficus::flags
