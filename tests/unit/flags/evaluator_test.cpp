// Reasons, error codes and metadata as flagd reports them.
#include "flags/evaluator.h"

#include <gtest/gtest.h>

#include "flag_test_support.h"

namespace ficus::flags {
namespace {

using testing::eval;

constexpr std::string_view kFlags = R"({
  "metadata": {"flagSetId": "checkout", "version": "3"},
  "$evaluators": {"is_ballmer": {"==": ["ballmer@macrosoft.com", {"var": ["email"]}]}},
  "flags": {
    "static-flag": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on",
                    "metadata": {"version": "4", "owner": "ann"}},
    "no-default-flag": {"state": "ENABLED", "variants": {"on": true, "off": false}},
    "empty-default-flag": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": ""},
    "null-default-flag": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": null,
                          "targeting": {"if": [{"$ref": "is_ballmer"}, "on"]}},
    "disabled-flag": {"state": "DISABLED", "variants": {"greeting": "hi", "parting": "bye"}, "defaultVariant": "greeting"},
    "email-flag": {"state": "ENABLED", "variants": {"hi": "hi", "bye": "bye", "none": "none"}, "defaultVariant": "none",
                   "targeting": {"if": [{"$ref": "is_ballmer"}, "hi", "bye"]}},
    "targeting-null-variant-flag": {"state": "ENABLED", "variants": {"one": 1, "two": 2}, "defaultVariant": "two",
                                    "targeting": {"if": [true, null, "one"]}},
    "non-string-variant-targeting-flag": {"state": "ENABLED", "variants": {"false": 1, "true": 2},
                                          "defaultVariant": "false", "targeting": {"if": [true, true, false]}},
    "numeric-variant-name-flag": {"state": "ENABLED", "variants": {"1": "one", "2": "two"}, "defaultVariant": "1",
                                  "targeting": {"+": [1, {"var": "n"}]}},
    "empty-targeting-flag": {"state": "ENABLED", "variants": {"false": 1, "true": 2}, "defaultVariant": "false",
                             "targeting": {}},
    "timestamp-flag": {"state": "ENABLED", "variants": {"past": -1, "future": 1, "none": 0}, "defaultVariant": "none",
                       "targeting": {"if": [{">": [{"var": "$flagd.timestamp"}, {"var": "time"}]}, "past",
                                            {"<": [{"var": "$flagd.timestamp"}, {"var": "time"}]}, "future", null]}},
    "targeting-key-flag": {"state": "ENABLED", "variants": {"hit": "hit", "miss": "miss"}, "defaultVariant": "miss",
                           "targeting": {"if": [{"==": [{"var": "targetingKey"}, "5c3d8535-f81a-4478-a6d3-afaa4d51199e"]}, "hit", null]}},
    "object-result-flag": {"state": "ENABLED", "variants": {"a": "a"}, "defaultVariant": "a",
                           "targeting": {"var": "payload"}},
    "computed-name-flag": {"state": "ENABLED", "variants": {"one": 1, "two": 2}, "defaultVariant": "two",
                           "targeting": {"cat": ["th", "ree"]}},
    "error-targeting-flag": {"state": "ENABLED", "variants": {"one": 1, "two": 2}, "defaultVariant": "two",
                             "targeting": {"invalid": ["this is not valid targeting"]}},
    "missing-variant-targeting-flag": {"state": "ENABLED", "variants": {"one": 1, "two": 2}, "defaultVariant": "two",
                                       "targeting": {"if": [true, "three", "one"]}}
  }
})";

class Evaluation : public ::testing::Test {
 protected:
  // Lenient, so the flags flagd only rejects at evaluation time load too.
  static void SetUpTestSuite() { set_ = testing::flag_set(kFlags, /*strict=*/false); }
  static void TearDownTestSuite() { set_.reset(); }
  static std::shared_ptr<const FlagSet> set_;
};
std::shared_ptr<const FlagSet> Evaluation::set_;

TEST_F(Evaluation, NoTargetingIsStaticWithTheDefaultVariant) {
  const auto r = eval(*set_, "static-flag");
  EXPECT_EQ(r.resolution.reason, Reason::STATIC);
  EXPECT_EQ(r.resolution.variant, "on");
  EXPECT_EQ(*r.resolution.value, true);
  EXPECT_TRUE(r.resolution.ok());
}

TEST_F(Evaluation, MetadataMergesFlagSetAndFlagWithFlagKeysWinning) {
  const auto r = eval(*set_, "static-flag");
  EXPECT_EQ(*r.resolution.metadata,
            R"({"flagSetId": "checkout", "version": "4", "owner": "ann"})"_json);
  EXPECT_EQ(*eval(*set_, "email-flag").resolution.metadata,
            R"({"flagSetId": "checkout", "version": "3"})"_json);
}

TEST_F(Evaluation, NoDefaultVariantGivesDefaultWithoutAValue) {
  for (const char* key : {"no-default-flag", "null-default-flag", "empty-default-flag"}) {
    const auto r = eval(*set_, key);
    EXPECT_EQ(r.resolution.reason, Reason::DEFAULT) << key;
    EXPECT_EQ(r.resolution.value, nullptr) << key;
    EXPECT_TRUE(r.resolution.variant.empty()) << key;
    EXPECT_TRUE(r.resolution.ok()) << key;
  }
  EXPECT_EQ(
      eval(*set_, "null-default-flag", R"({"email": "ballmer@macrosoft.com"})").resolution.variant,
      "on");
}

TEST_F(Evaluation, DisabledFlagsGiveNoValue) {
  const auto r = eval(*set_, "disabled-flag");
  EXPECT_EQ(r.resolution.reason, Reason::DISABLED);
  EXPECT_EQ(r.resolution.value, nullptr);
  EXPECT_TRUE(r.resolution.ok());
}

TEST_F(Evaluation, TargetingMatchAndDefaultOnNull) {
  const auto hit = eval(*set_, "email-flag", R"({"email": "ballmer@macrosoft.com"})");
  EXPECT_EQ(hit.resolution.reason, Reason::TARGETING_MATCH);
  EXPECT_EQ(hit.value_text(), "hi");
  EXPECT_EQ(eval(*set_, "email-flag", R"({"email": "x@y.z"})").value_text(), "bye");
  const auto null_result = eval(*set_, "targeting-null-variant-flag");
  EXPECT_EQ(null_result.resolution.reason, Reason::DEFAULT);
  EXPECT_EQ(null_result.value_text(), "2");
}

TEST_F(Evaluation, BooleanAndNumberResultsNameVariantsByTheirText) {
  EXPECT_EQ(eval(*set_, "non-string-variant-targeting-flag").value_text(), "2");
  EXPECT_EQ(eval(*set_, "numeric-variant-name-flag", R"({"n": 1})").value_text(), "two");
}

TEST_F(Evaluation, EmptyTargetingIsNoTargeting) {
  const auto r = eval(*set_, "empty-targeting-flag");
  EXPECT_EQ(r.resolution.reason, Reason::STATIC);
  EXPECT_EQ(r.value_text(), "1");
}

TEST_F(Evaluation, TimestampAndTargetingKeyAreInjected) {
  EXPECT_EQ(eval(*set_, "timestamp-flag", R"({"time": 1})").value_text(), "-1");
  EXPECT_EQ(eval(*set_, "timestamp-flag", R"({"time": 4133980802})").value_text(), "1");
  EXPECT_EQ(eval(*set_, "targeting-key-flag",
                 R"({"targetingKey": "5c3d8535-f81a-4478-a6d3-afaa4d51199e"})")
                .value_text(),
            "hit");
  const auto miss = eval(*set_, "targeting-key-flag", R"({"targetingKey": "f20bd32d"})");
  EXPECT_EQ(miss.value_text(), "miss");
  EXPECT_EQ(miss.resolution.reason, Reason::DEFAULT);
}

TEST_F(Evaluation, UnknownFlagIsFlagNotFound) {
  const auto r = eval(*set_, "nope");
  EXPECT_EQ(r.resolution.reason, Reason::ERROR);
  EXPECT_EQ(r.resolution.error_code, ErrorCode::FLAG_NOT_FOUND);
  EXPECT_EQ(r.resolution.error_message, "flag \"nope\" not found");
  EXPECT_EQ(r.resolution.metadata, nullptr);
}

TEST_F(Evaluation, UncompilableTargetingIsParseError) {
  const auto r = eval(*set_, "error-targeting-flag");
  EXPECT_EQ(r.resolution.error_code, ErrorCode::PARSE_ERROR);
  EXPECT_NE(r.resolution.error_message.find("unknown operator \"invalid\""), std::string::npos)
      << r.resolution.error_message;
}

TEST_F(Evaluation, ResultThatNamesNoVariantIsGeneral) {
  for (const char* key : {"missing-variant-targeting-flag", "computed-name-flag"}) {
    const auto r = eval(*set_, key);
    EXPECT_EQ(r.resolution.error_code, ErrorCode::GENERAL) << key;
    EXPECT_EQ(r.resolution.value, nullptr) << key;
  }
  const auto object = eval(*set_, "object-result-flag", R"({"payload": {"a": 1}})");
  EXPECT_EQ(object.resolution.error_code, ErrorCode::GENERAL);
  EXPECT_NE(object.resolution.error_message.find(R"({"a":1})"), std::string::npos);
}

TEST_F(Evaluation, ExpectedTypeMismatchIsTypeMismatch) {
  const nlohmann::json context = nlohmann::json::object();
  const auto r = evaluate(*set_, "static-flag", EvalContext::from_json(context), ValueType::string);
  EXPECT_EQ(r.error_code, ErrorCode::TYPE_MISMATCH);
  EXPECT_EQ(r.reason, Reason::ERROR);
  EXPECT_EQ(r.value, nullptr);
  EXPECT_TRUE(
      evaluate(*set_, "static-flag", EvalContext::from_json(context), ValueType::boolean).ok());
}

TEST_F(Evaluation, EvaluatorKeepsItsSetAliveAndResolvesLikeTheFreeFunction) {
  Evaluator evaluator(set_);
  const auto r = evaluator.evaluate("static-flag", EvalContext());
  EXPECT_EQ(r.variant, "on");
  EXPECT_EQ(&evaluator.flag_set(), set_.get());
}

TEST(ResolutionJson, CarriesEveryFieldTheCliPrints) {
  const auto set = testing::flag_set(
      R"({"flags": {"f": {"state": "ENABLED", "variants": {"a": "x"}, "defaultVariant": "a"}}})");
  const auto r = eval(*set, "f");
  EXPECT_EQ(
      to_json(r.resolution, "f"),
      R"({"key": "f", "value": "x", "variant": "a", "reason": "STATIC", "metadata": {}})"_json);
  const auto missing = eval(*set, "g");
  EXPECT_EQ(to_json(missing.resolution, "g").at("errorCode"), "FLAG_NOT_FOUND");
}

}  // namespace
}  // namespace ficus::flags
