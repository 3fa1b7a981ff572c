// The fractional operator against the shared whole-flag vectors and flagd's conformance
// scenarios (open-feature/flagd-testbed, gherkin/targeting.feature, "v2" = current algorithm).
#include "flags/ops/fractional.h"

#include <gtest/gtest.h>

#include "flag_test_support.h"
#include "flags/murmur3.h"

namespace ficus::flags {
namespace {

using testing::eval;
using testing::flag_set;

// A flag whose targeting is a plain fractional over `buckets`, like the shared vectors.
std::string fractional_flag(const std::string& key, const nlohmann::json& buckets) {
  nlohmann::json variants = nlohmann::json::object();
  nlohmann::json fractional = nlohmann::json::array();
  for (const auto& bucket : buckets) {
    variants[bucket[0].get<std::string>()] = bucket[0];
    fractional.push_back(bucket);
  }
  variants["fallback"] = "fallback";
  nlohmann::json doc = {{"flags",
                         {{key,
                           {{"state", "ENABLED"},
                            {"variants", variants},
                            {"defaultVariant", "fallback"},
                            {"targeting", {{"fractional", fractional}}}}}}}};
  return doc.dump();
}

TEST(Fractional, WholeFlagVectorsPickTheSharedVariant) {
  const auto vectors = testing::test_vectors().at("fractional");
  ASSERT_GE(vectors.size(), 20u);
  for (const auto& v : vectors) {
    const std::string key = v.at("flag");
    EXPECT_EQ(murmur3_x86_32(v.at("bucketing_string").get<std::string>()),
              v.at("hash").get<std::uint32_t>());
    const auto set = flag_set(fractional_flag(key, v.at("buckets")));
    const nlohmann::json context = {{"targetingKey", v.at("targetingKey")}};
    const auto r = eval(*set, key, context.dump());
    EXPECT_EQ(r.resolution.variant, v.at("variant").get<std::string>()) << v.dump();
    EXPECT_EQ(r.resolution.reason, Reason::TARGETING_MATCH);
  }
}

TEST(Fractional, PickBucketWalksRunningWeightsInListedOrder) {
  const std::vector<std::uint64_t> ten_ninety{10, 100};
  EXPECT_EQ(ops::pick_bucket(0, ten_ninety), 0u);
  // bucket = hash * 100 >> 32: 10 is the first bucket of the second entry.
  EXPECT_EQ(ops::pick_bucket(static_cast<std::uint32_t>((10ull << 32) / 100 + 1), ten_ninety), 1u);
  EXPECT_EQ(ops::pick_bucket(0xFFFFFFFFu, ten_ninety), 1u);
  const std::vector<std::uint64_t> zero_first{0, 5};
  EXPECT_EQ(ops::pick_bucket(0, zero_first), 1u) << "a zero weight never wins";
}

constexpr std::string_view kConformanceFlags = R"({
  "flags": {
    "fractional-flag": {
      "state": "ENABLED",
      "variants": {"clubs": "clubs", "diamonds": "diamonds", "hearts": "hearts", "spades": "spades", "wild": "wild"},
      "defaultVariant": "wild",
      "targeting": {"fractional": [{"cat": [{"var": "$flagd.flagKey"}, {"var": "user.name"}]},
                                   ["clubs", 25], ["diamonds", 25], ["hearts", 25], ["spades", 25]]}
    },
    "fractional-flag-shorthand": {
      "state": "ENABLED",
      "variants": {"heads": "heads", "tails": "tails", "draw": "draw"},
      "defaultVariant": "draw",
      "targeting": {"fractional": [["heads"], ["tails", 1]]}
    },
    "fractional-flag-A-shared-seed": {
      "state": "ENABLED",
      "variants": {"clubs": "clubs", "diamonds": "diamonds", "hearts": "hearts", "spades": "spades", "wild": "wild"},
      "defaultVariant": "wild",
      "targeting": {"fractional": [{"cat": ["shared-seed", {"var": "user.name"}]},
                                   ["clubs", 25], ["diamonds", 25], ["hearts", 25], ["spades", 25]]}
    },
    "fractional-single-entry-flag": {
      "state": "ENABLED",
      "variants": {"single": "single", "fallback": "fallback"},
      "defaultVariant": "fallback",
      "targeting": {"fractional": [["single", 1]]}
    },
    "fractional-hash-edge-flag": {
      "state": "ENABLED",
      "variants": {"lower": "lower", "upper": "upper"},
      "defaultVariant": "lower",
      "targeting": {"fractional": [{"var": "targetingKey"}, ["lower", 50], ["upper", 50]]}
    },
    "fractional-nested-if-flag": {
      "state": "ENABLED",
      "variants": {"premium": "premium", "standard": "standard", "fallback": "fallback"},
      "defaultVariant": "fallback",
      "targeting": {"fractional": [{"var": "targetingKey"},
                                   [{"if": [{"==": [{"var": "tier"}, "premium"]}, "premium", "standard"]}, 50],
                                   ["standard", 50]]}
    },
    "fractional-nested-weight-flag": {
      "state": "ENABLED",
      "variants": {"red": "red", "blue": "blue", "fallback": "fallback"},
      "defaultVariant": "fallback",
      "targeting": {"fractional": [{"var": "targetingKey"},
                                   ["red", {"if": [{"==": [{"var": "tier"}, "premium"]}, 100, 0]}],
                                   ["blue", 10]]}
    },
    "fractional-as-condition-flag": {
      "state": "ENABLED",
      "variants": {"big": "hundreds", "small": "ones", "fallback": "zero"},
      "defaultVariant": "fallback",
      "targeting": {"if": [{"fractional": [[false, 0], [true, 100]]}, "big", "small"]}
    },
    "fractional-null-bucket-key-flag": {
      "state": "ENABLED",
      "variants": {"one": "one", "two": "two", "fallback": "fallback"},
      "defaultVariant": "fallback",
      "targeting": {"fractional": [{"var": "missing_key"}, ["one", 50], ["two", 50]]}
    },
    "fractional-zero-weights-flag": {
      "state": "ENABLED",
      "variants": {"one": "one", "two": "two", "fallback": "fallback"},
      "defaultVariant": "fallback",
      "targeting": {"fractional": [{"var": "targetingKey"}, ["one", 0], ["two", 0]]}
    },
    "fractional-negative-weight-flag": {
      "state": "ENABLED",
      "variants": {"one": "one", "two": "two", "fallback": "fallback"},
      "defaultVariant": "fallback",
      "targeting": {"fractional": [{"var": "targetingKey"}, ["one", -50], ["two", 100]]}
    },
    "fractional-dynamic-overflow-flag": {
      "state": "ENABLED",
      "variants": {"one": "one", "two": "two", "fallback": "fallback"},
      "defaultVariant": "fallback",
      "targeting": {"fractional": [["one", {"var": "w"}], ["two", {"var": "w"}]]}
    }
  }
})";

struct Case {
  std::string flag;
  std::string context;
  std::string value;
};

class FractionalConformance : public ::testing::TestWithParam<Case> {};

TEST_P(FractionalConformance, ResolvesLikeFlagd) {
  // Lenient: the zero-weight flag is one strict loading rejects; flagd serves the default.
  static const auto set = flag_set(kConformanceFlags, /*strict=*/false);
  const Case& c = GetParam();
  const auto r = eval(*set, c.flag, c.context);
  EXPECT_EQ(r.value_text(), c.value) << c.flag << " " << c.context;
}

INSTANTIATE_TEST_SUITE_P(
    FlagdTestbed, FractionalConformance,
    ::testing::Values(
        // Bucketing string from a rule: flagKey + user.name.
        Case{"fractional-flag", R"({"user": {"name": "jack"}})", "hearts"},
        Case{"fractional-flag", R"({"user": {"name": "queen"}})", "spades"},
        Case{"fractional-flag", R"({"user": {"name": "ten"}})", "clubs"},
        Case{"fractional-flag", R"({"user": {"name": "nine"}})", "diamonds"},
        Case{"fractional-flag", R"({"user": {"name": "3"}})", "clubs"},
        // No bucketing rule: flagKey + targetingKey.
        Case{"fractional-flag-shorthand", R"({"targetingKey": "jon@company.com"})", "heads"},
        Case{"fractional-flag-shorthand", R"({"targetingKey": "jane@company.com"})", "tails"},
        Case{"fractional-flag-A-shared-seed", R"({"user": {"name": "seven"}})", "hearts"},
        Case{"fractional-flag-A-shared-seed", R"({"user": {"name": "eight"}})", "diamonds"},
        Case{"fractional-flag-A-shared-seed", R"({"user": {"name": "nine"}})", "clubs"},
        Case{"fractional-flag-A-shared-seed", R"({"user": {"name": "two"}})", "spades"},
        Case{"fractional-single-entry-flag", R"({"targetingKey": "some-targeting-key"})", "single"},
        // Hash edges: 0, 1, 2^31-1 fall in the lower half, 2^31 and 2^32-1 in the upper.
        Case{"fractional-hash-edge-flag", R"({"targetingKey": "ejOoVL"})", "lower"},
        Case{"fractional-hash-edge-flag", R"({"targetingKey": "bY9fO-"})", "lower"},
        Case{"fractional-hash-edge-flag", R"({"targetingKey": "SI7p-"})", "lower"},
        Case{"fractional-hash-edge-flag", R"({"targetingKey": "6LvT0"})", "upper"},
        Case{"fractional-hash-edge-flag", R"({"targetingKey": "ceQdGm"})", "upper"},
        // Rules inside entries.
        Case{"fractional-nested-if-flag",
             R"({"targetingKey": "jon@company.com", "tier": "premium"})", "premium"},
        Case{"fractional-nested-if-flag", R"({"targetingKey": "jon@company.com", "tier": "basic"})",
             "standard"},
        Case{"fractional-nested-if-flag", R"({"targetingKey": "user1", "tier": "premium"})",
             "standard"},
        Case{"fractional-nested-weight-flag",
             R"({"targetingKey": "jon@company.com", "tier": "premium"})", "red"},
        Case{"fractional-nested-weight-flag",
             R"({"targetingKey": "jon@company.com", "tier": "basic"})", "blue"},
        Case{"fractional-nested-weight-flag", R"({"targetingKey": "user1", "tier": "premium"})",
             "red"},
        Case{"fractional-as-condition-flag", R"({"targetingKey": "some-targeting-key"})",
             "hundreds"},
        // Bad input falls through to the default variant.
        Case{"fractional-null-bucket-key-flag", R"({})", "fallback"},
        Case{"fractional-zero-weights-flag", R"({"targetingKey": "any-user"})", "fallback"},
        Case{"fractional-negative-weight-flag", R"({"targetingKey": "any-user"})", "two"},
        Case{"fractional-flag-shorthand", R"({"irrelevant": "none"})", "draw"},
        Case{"fractional-flag-shorthand", R"({"targetingKey": 12345})", "draw"},
        Case{"fractional-flag-shorthand", R"({"targetingKey": true})", "draw"},
        Case{"fractional-flag-shorthand", R"({"targetingKey": ""})", "draw"},
        Case{"fractional-dynamic-overflow-flag", R"({"targetingKey": "u", "w": 2000000000})",
             "fallback"},
        Case{"fractional-dynamic-overflow-flag", R"({"targetingKey": "u", "w": 1.5})", "fallback"},
        Case{"fractional-dynamic-overflow-flag", R"({"targetingKey": "u", "w": "10"})",
             "fallback"}));

TEST(Fractional, RequestContextHashesFlagKeyPlusTargetingKeyWithoutJson) {
  const auto set =
      flag_set(fractional_flag("orders-cutover", R"([["new", 100000], ["old", 900000]])"_json));
  EvalContext context(std::string_view("570930264"));  // hash 136409928 -> bucket 31760 -> new
  EXPECT_EQ(evaluate(*set, "orders-cutover", context).variant, "new");
  EvalContext other(std::string_view("628742260"));
  EXPECT_EQ(evaluate(*set, "orders-cutover", other).variant, "old");
  EvalContext no_key(std::nullopt);
  const Resolution r = evaluate(*set, "orders-cutover", no_key);
  EXPECT_EQ(r.variant, "fallback");
  EXPECT_EQ(r.reason, Reason::DEFAULT);
}

TEST(Fractional, StrictLoadingRejectsBadLiteralWeightsWithTheirPath) {
  const auto errors = testing::parse_errors(R"({"flags": {"f": {"state": "ENABLED",
      "variants": {"a": "a", "b": "b"}, "defaultVariant": "a",
      "targeting": {"fractional": [["a", 1.5], ["b", 1]]}}}})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "flags.f.targeting.fractional: entry 0: weight must be an integer");
}

TEST(Fractional, StrictLoadingRejectsTotalsAboveInt32) {
  const auto errors = testing::parse_errors(R"({"flags": {"f": {"state": "ENABLED",
      "variants": {"a": "a", "b": "b"}, "defaultVariant": "a",
      "targeting": {"fractional": [["a", 2000000000], ["b", 2000000000]]}}}})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("more than 2147483647"), std::string::npos) << errors[0];
}

TEST(Fractional, StrictLoadingRejectsAVariantNameThatDoesNotExist) {
  const auto errors = testing::parse_errors(R"({"flags": {"orders-cutover": {"state": "ENABLED",
      "variants": {"new": "new", "old": "old"}, "defaultVariant": "old",
      "targeting": {"fractional": [["nwe", 10], ["old", 90]]}}}})");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].substr(0, errors[0].find(':')),
            "flags.orders-cutover.targeting.fractional[0][0]");
  EXPECT_NE(errors[0].find("\"nwe\" is not a variant"), std::string::npos) << errors[0];
}

}  // namespace
}  // namespace ficus::flags
