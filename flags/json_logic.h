// Expression: a JSON Logic rule compiled once, when a flag file is loaded, into a tree that
// evaluates without re-reading JSON.
//
// Written by hand: Debian packages no C++ JSON Logic library. Operators and coercions follow
// json-logic-js (var, missing, missing_some, if/?:, == === != !== ! !!, or, and, < <= > >=,
// in, cat, substr, + - * / %, min, max, merge, map, filter, reduce, all, some, none, log) plus
// flagd's custom operators (fractional, sem_ver, starts_with, ends_with; see flags/ops/).
// `{"$ref": "name"}` is replaced by the named entry of the flag file's "$evaluators".
//
//   std::vector<ficus::flags::JsonPathError> errors;
//   auto rule = ficus::flags::Expression::compile(json, "flags.f.targeting", {}, errors);
//   std::array<std::byte, 1024> buffer;
//   std::pmr::monotonic_buffer_resource arena(buffer.data(), buffer.size());
//   ficus::flags::Value result = rule->evaluate(context, "f", arena);
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "flags/eval_context.h"
#include "flags/value.h"

namespace ficus::flags {

namespace detail {
struct Node;
}

// A problem found while compiling, at a JSON path such as `flags.f.targeting.if[0]`.
struct JsonPathError {
  std::string path;
  std::string message;
  // Mistakes flagd only notices while evaluating (a weight that is not an integer, a result that
  // names no variant). Strict loading rejects them; lenient loading leaves them to evaluation.
  bool strict_only = false;
};

struct CompileOptions {
  // The flag file's "$evaluators" object, for {"$ref": "name"}; null when there is none.
  const nlohmann::json* evaluators = nullptr;
  // When set, every literal a rule can return (a variant name) must satisfy it.
  std::function<bool(std::string_view)> is_variant;
};

class Expression {
 public:
  // Compiles `rule`; on failure returns nullopt and appends to `errors` (paths start at `path`).
  // Errors marked strict_only do not make it fail.
  static std::optional<Expression> compile(const nlohmann::json& rule, std::string_view path,
                                           const CompileOptions& options,
                                           std::vector<JsonPathError>& errors);

  Expression(Expression&&) noexcept;
  Expression& operator=(Expression&&) noexcept;
  ~Expression();

  // Runs the rule. The result may point into this expression, `context` or `arena`.
  Value evaluate(const EvalContext& context, std::string_view flag_key, Arena& arena) const;

 private:
  explicit Expression(std::unique_ptr<detail::Node> root);
  std::unique_ptr<detail::Node> root_;
};

}  // namespace ficus::flags
