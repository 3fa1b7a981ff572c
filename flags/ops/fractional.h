// fractional: flagd's deterministic percentage split, `{"fractional": [bucketBy?, [variant,
// weight]...]}`.
//
// Exactly flagd's current algorithm: MurmurHash3 x86_32 (seed 0) over the UTF-8 bytes of the
// bucketing string; bucket = (uint64(hash) * totalWeight) >> 32; the first variant (in listed
// order) whose running weight exceeds the bucket wins. The bucketing string is the first
// argument when it evaluates to a string, else flagKey + targetingKey (hashed incrementally,
// never concatenated). Weights are integers (default 1, may be rules), negative ones count as 0,
// the total must not exceed 2^31-1. No targeting key, a zero total or bad input gives null, so
// the flag serves its default variant.
//
// When every variant and weight is a literal (the usual rollout), the table is built once at
// load time and evaluation allocates nothing.
//
//   {"fractional": [["new", 10], ["old", 90]]}
//   std::uint32_t i = ficus::flags::ops::pick_bucket(hash, cumulative_weights);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "flags/json_logic_node.h"

namespace ficus::flags::detail {

struct FractionalPlan {
  bool has_bucket_expression = false;  // args[0] computes the bucketing string
  // Set when every distribution is literal and valid: the walk needs no evaluation.
  bool is_static = false;
  std::vector<Value> variants;            // static table: variant per entry
  std::vector<std::uint64_t> cumulative;  // running weight after each entry
  // Why the literal distributions are invalid (flagd would return null); empty when fine.
  std::string problem;
};

// Builds the plan for already compiled fractional arguments.
std::shared_ptr<const FractionalPlan> plan_fractional(const std::vector<Node>& args);

Value evaluate_fractional(const Node& node, Scope& scope);

}  // namespace ficus::flags::detail

namespace ficus::flags::ops {

// Index of the entry `hash` falls in, given running weights (last = total, > 0).
std::size_t pick_bucket(std::uint32_t hash, std::span<const std::uint64_t> cumulative);

}  // namespace ficus::flags::ops
