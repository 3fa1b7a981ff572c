// Evaluator: resolves flags of one FlagSet for one context, the way flagd does.
//
// Evaluation is const, lock-free and allocation-free on the common paths (static flags,
// fractional splits, rules over request attributes): temporaries live in a stack buffer.
// The evaluator keeps its FlagSet alive, so Resolutions it returns stay valid as long as the
// Evaluator (or another owner of the set) lives.
//
//   ficus::flags::Evaluator evaluator(store.current());         // once per request
//   ficus::flags::EvalContext context(targeting_key, &request_attributes);
//   ficus::flags::Resolution r = evaluator.evaluate("orders-cutover", context);
//   bool use_new = r.value && r.value->is_string() && *r.value == "new";
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "flags/eval_context.h"
#include "flags/flag_set.h"
#include "flags/resolution.h"

namespace ficus::flags {

// Evaluates `flag` for `context`. With `expected`, a variant of another type gives
// ERROR/TYPE_MISMATCH instead of a value.
Resolution evaluate_flag(const Flag& flag, const EvalContext& context,
                         std::optional<ValueType> expected = std::nullopt);

// Looks `flag_key` up in `set`; unknown keys give ERROR/FLAG_NOT_FOUND.
Resolution evaluate(const FlagSet& set, std::string_view flag_key, const EvalContext& context,
                    std::optional<ValueType> expected = std::nullopt);

class Evaluator {
 public:
  explicit Evaluator(std::shared_ptr<const FlagSet> set) : set_(std::move(set)) {}

  Resolution evaluate(std::string_view flag_key, const EvalContext& context,
                      std::optional<ValueType> expected = std::nullopt) const {
    return flags::evaluate(*set_, flag_key, context, expected);
  }
  const FlagSet& flag_set() const { return *set_; }

 private:
  std::shared_ptr<const FlagSet> set_;
};

}  // namespace ficus::flags
