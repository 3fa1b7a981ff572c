// Internal to flags/: the compiled JSON Logic tree and the evaluation scope the operators in
// json_logic_eval.cpp and flags/ops/ share. Nothing outside flags/ includes this.
//
//   detail::Scope scope{context, flag_key, arena};
//   Value v = detail::eval(node, scope);
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "flags/eval_context.h"
#include "flags/value.h"

namespace ficus::flags::detail {

enum class Op : std::uint8_t {
  literal,  // `constant`
  array,    // a JSON array whose elements are rules; `constant` set when all are literals
  var,
  missing,
  missing_some,
  if_,
  equals,
  strict_equals,
  not_equals,
  strict_not_equals,
  negate,
  double_negate,
  or_,
  and_,
  greater,
  greater_or_equal,
  less,
  less_or_equal,
  in,
  cat,
  substr,
  add,
  subtract,
  multiply,
  divide,
  modulo,
  min,
  max,
  merge,
  map,
  filter,
  reduce,
  all,
  some,
  none,
  log,
  fractional,
  sem_ver,
  starts_with,
  ends_with,
};

// What a `var` with a literal path reads; decided at compile time.
enum class VarTarget : std::uint8_t {
  dynamic,
  whole_data,
  targeting_key,
  flag_key,
  timestamp,
  path
};

struct FractionalPlan;

struct Node {
  Op op = Op::literal;
  Value constant;
  std::vector<Node> args;
  // Heap-owned so that Values pointing into them survive moves of the Node.
  std::unique_ptr<std::string> text;
  std::unique_ptr<nlohmann::json> object;
  std::unique_ptr<std::vector<Value>> items;
  // var with a literal path.
  VarTarget var_target = VarTarget::dynamic;
  std::unique_ptr<std::string> var_path;
  std::shared_ptr<const FractionalPlan> fractional;
};

// One step of map/filter/reduce rebinds what `var` reads.
struct Frame {
  enum class Kind : std::uint8_t { root, element, reduce } kind = Kind::root;
  Value current;
  Value accumulator;
};

struct Scope {
  const EvalContext& context;
  std::string_view flag_key;
  Arena& arena;
  Frame frame{};
};

Value eval(const Node& node, Scope& scope);
// `var` semantics: looks `dotted_path` up in the current frame; nullopt when absent.
std::optional<Value> lookup(std::string_view dotted_path, Scope& scope);

}  // namespace ficus::flags::detail
