#include "flags/ops/fractional.h"

#include <cmath>
#include <limits>

#include "flags/murmur3.h"

namespace ficus::flags::ops {

std::size_t pick_bucket(std::uint32_t hash, std::span<const std::uint64_t> cumulative) {
  const std::uint64_t total = cumulative.back();
  const std::uint64_t bucket = (static_cast<std::uint64_t>(hash) * total) >> 32;
  std::size_t i = 0;
  while (cumulative[i] <= bucket) ++i;  // terminates: bucket < total = cumulative.back()
  return i;
}

}  // namespace ficus::flags::ops

namespace ficus::flags::detail {
namespace {

constexpr std::int64_t kMaxTotalWeight = std::numeric_limits<std::int32_t>::max();

bool is_variant_value(const Value& v) {
  return v.is_null() || v.is_string() || v.is_number() || v.type() == Value::Type::boolean;
}

// One distribution entry's weight, as flagd reads it; nullopt when invalid.
std::optional<std::int64_t> read_weight(std::span<const Value> entry, std::string* problem) {
  if (entry.size() < 2 || entry[1].is_null()) return 1;
  if (!entry[1].is_number()) {
    if (problem) *problem = "weight must be an integer";
    return std::nullopt;
  }
  const double w = entry[1].as_number();
  if (!std::isfinite(w) || w != std::trunc(w)) {
    if (problem) *problem = "weight must be an integer";
    return std::nullopt;
  }
  if (w > static_cast<double>(kMaxTotalWeight)) {
    if (problem) *problem = "weight must not exceed 2147483647";
    return std::nullopt;
  }
  return w < 0 ? 0 : static_cast<std::int64_t>(w);  // negative weights count as 0, as in flagd
}

struct Table {
  std::span<const Value> variants;
  std::span<const std::uint64_t> cumulative;
};

// Evaluates the distributions at run time into arena-backed arrays; nullopt on bad input.
std::optional<Table> build_table(std::span<const Value> entries, Arena& arena) {
  std::span<Value> variants = arena_values(arena, entries.size());
  auto* cumulative = static_cast<std::uint64_t*>(
      arena.allocate(entries.size() * sizeof(std::uint64_t), alignof(std::uint64_t)));
  std::int64_t total = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].is_array() || entries[i].as_array().empty()) return std::nullopt;
    const auto entry = entries[i].as_array();
    if (!is_variant_value(entry[0])) return std::nullopt;
    const auto weight = read_weight(entry, nullptr);
    if (!weight) return std::nullopt;
    total += *weight;
    if (total > kMaxTotalWeight) return std::nullopt;
    variants[i] = entry[0];
    cumulative[i] = static_cast<std::uint64_t>(total);
  }
  return Table{variants, {cumulative, entries.size()}};
}

}  // namespace

std::shared_ptr<const FractionalPlan> plan_fractional(const std::vector<Node>& args) {
  auto plan = std::make_shared<FractionalPlan>();
  if (args.empty()) {
    plan->problem = "needs at least one [variant, weight] entry";
    return plan;
  }
  // A first argument that is not a [variant, weight] array computes the bucketing string.
  plan->has_bucket_expression = args[0].op != Op::array;
  const std::size_t first = plan->has_bucket_expression ? 1 : 0;
  if (first == args.size()) {
    plan->problem = "needs at least one [variant, weight] entry after the bucketing value";
    return plan;
  }
  bool all_literal = true;
  std::int64_t total = 0;
  for (std::size_t i = first; i < args.size(); ++i) {
    const Node& arg = args[i];
    if (arg.op == Op::literal && !arg.constant.is_array()) {
      plan->problem = "entry " + std::to_string(i) + " must be a [variant, weight] array";
      return plan;
    }
    if (arg.op != Op::array || !arg.constant.is_array()) {
      all_literal = false;  // some part is a rule: checked at evaluation time
      continue;
    }
    const auto entry = arg.constant.as_array();
    if (entry.empty()) {
      plan->problem = "entry " + std::to_string(i) + " must name a variant";
      return plan;
    }
    if (!is_variant_value(entry[0])) {
      plan->problem =
          "entry " + std::to_string(i) + ": the variant must be a string, boolean, number or null";
      return plan;
    }
    std::string problem;
    const auto weight = read_weight(entry, &problem);
    if (!weight) {
      plan->problem = "entry " + std::to_string(i) + ": " + problem;
      return plan;
    }
    total += *weight;
    if (total > kMaxTotalWeight) {
      plan->problem = "the weights add up to more than 2147483647";
      return plan;
    }
    plan->variants.push_back(entry[0]);
    plan->cumulative.push_back(static_cast<std::uint64_t>(total));
  }
  if (all_literal && total == 0) {
    plan->problem = "the weights add up to 0, so every evaluation would fall back to the default";
    // flagd accepts this and serves the default; keep evaluating it that way.
  }
  plan->is_static = all_literal;
  return plan;
}

Value evaluate_fractional(const Node& node, Scope& scope) {
  const FractionalPlan& plan = *node.fractional;
  if (!plan.problem.empty() && !plan.is_static) return Value();

  Murmur3 hasher;
  bool extra_entry = false;  // the bucketing rule evaluated to an array: flagd reads it as an entry
  Value bucket_value;
  if (plan.has_bucket_expression) {
    bucket_value = eval(node.args[0], scope);
    if (bucket_value.is_string()) {
      hasher.update(bucket_value.as_string());
    } else if (bucket_value.is_array()) {
      extra_entry = true;
    } else if (!bucket_value.is_null()) {
      return Value();
    }
  }
  if (!plan.has_bucket_expression || !bucket_value.is_string()) {
    const auto key = scope.context.targeting_key();
    if (!key || key->empty()) return Value();  // no targeting key: the default variant
    hasher.update(scope.flag_key);
    hasher.update(*key);
  }
  const std::uint32_t hash = hasher.finish();

  if (plan.is_static && !extra_entry) {
    if (plan.cumulative.back() == 0) return Value();
    return plan.variants[ops::pick_bucket(hash, plan.cumulative)];
  }

  const std::size_t first = plan.has_bucket_expression ? 1 : 0;
  const std::size_t count = node.args.size() - first + (extra_entry ? 1 : 0);
  std::span<Value> entries = arena_values(scope.arena, count);
  std::size_t n = 0;
  if (extra_entry) entries[n++] = bucket_value;
  for (std::size_t i = first; i < node.args.size(); ++i) entries[n++] = eval(node.args[i], scope);
  const auto table = build_table(entries, scope.arena);
  if (!table || table->cumulative.back() == 0) return Value();
  return table->variants[ops::pick_bucket(hash, table->cumulative)];
}

}  // namespace ficus::flags::detail
