// JSON Logic operators with normal and bad input, checked against json-logic-js behaviour.
#include "flags/json_logic.h"

#include <array>
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ficus::flags {
namespace {

using nlohmann::json;

// Compiles `rule` (lenient: no variant names to check) and runs it against `data`.
json apply(std::string_view rule, std::string_view data = "{}") {
  std::vector<JsonPathError> errors;
  const json rule_json = json::parse(rule);
  auto expression = Expression::compile(rule_json, "rule", {}, errors);
  if (!expression) {
    ADD_FAILURE() << rule << " did not compile: " << errors.at(0).path << ": "
                  << errors.at(0).message;
    return "<compile error>";
  }
  const json data_json = json::parse(data);
  auto context = EvalContext::from_json(data_json);
  context.set_timestamp(1'700'000'000);
  std::array<std::byte, 4096> buffer;
  std::pmr::monotonic_buffer_resource arena(buffer.data(), buffer.size());
  return to_json(expression->evaluate(context, "my-flag", arena));
}

TEST(JsonLogicVar, ReadsDottedPathsArrayIndexesAndDefaults) {
  EXPECT_EQ(apply(R"({"var": "a.b"})", R"({"a": {"b": 7}})"), 7);
  EXPECT_EQ(apply(R"({"var": "list.1"})", R"({"list": ["x", "y"]})"), "y");
  EXPECT_EQ(apply(R"({"var": 1})", R"(["zero", "one"])"), json());  // root must be an object
  EXPECT_EQ(apply(R"({"var": ["missing", 42]})"), 42);
  EXPECT_EQ(apply(R"({"var": ["a.b.c", "d"]})", R"({"a": {"b": "not an object"}})"), "d");
  EXPECT_EQ(apply(R"({"var": "missing"})"), json());
  EXPECT_EQ(apply(R"({"var": ""})", R"({"k": 1})"), json::parse(R"({"k": 1})"));
  EXPECT_EQ(apply(R"({"var": {"cat": ["a", ".b"]}})", R"({"a": {"b": "computed"}})"), "computed");
}

TEST(JsonLogicVar, FlagdPropertiesAreInjectedAndWinOverTheContext) {
  EXPECT_EQ(apply(R"({"var": "$flagd.flagKey"})", R"({"$flagd": {"flagKey": "spoofed"}})"),
            "my-flag");
  EXPECT_EQ(apply(R"({"var": "$flagd.timestamp"})"), 1'700'000'000);
  EXPECT_EQ(apply(R"({"var": "targetingKey"})", R"({"targetingKey": "u1"})"), "u1");
}

TEST(JsonLogicMissing, ListsAbsentNullAndEmptyKeys) {
  EXPECT_EQ(apply(R"({"missing": ["a", "b", "c", "d"]})", R"({"a": 1, "b": null, "c": ""})"),
            json::parse(R"(["b", "c", "d"])"));
  EXPECT_EQ(apply(R"({"missing": [["x"]]})", R"({"x": 0})"), json::array());
  EXPECT_EQ(apply(R"({"missing_some": [1, ["a", "b"]]})", R"({"b": 1})"), json::array());
  EXPECT_EQ(apply(R"({"missing_some": [2, ["a", "b", "c"]]})", R"({"b": 1})"),
            json::parse(R"(["a", "c"])"));
  EXPECT_EQ(apply(R"({"missing_some": [1, "not an array"]})"), json::array());
}

TEST(JsonLogicIf, PicksTheFirstTruthyBranchAndChains) {
  EXPECT_EQ(apply(R"({"if": [true, "yes", "no"]})"), "yes");
  EXPECT_EQ(apply(R"({"if": [[], "yes", "no"]})"), "no") << "[] is falsy in json-logic-js";
  EXPECT_EQ(apply(R"({"if": [false, 1, false, 2, 3]})"), 3);
  EXPECT_EQ(apply(R"({"if": [false, 1, "0", 2, 3]})"), 2) << "\"0\" is truthy";
  EXPECT_EQ(apply(R"({"if": [false, 1]})"), json());
  EXPECT_EQ(apply(R"({"if": []})"), json());
  EXPECT_EQ(apply(R"({"?:": [1, "a", "b"]})"), "a");
}

TEST(JsonLogicEquality, LooseAndStrictFollowJavaScript) {
  EXPECT_EQ(apply(R"({"==": [1, "1"]})"), true);
  EXPECT_EQ(apply(R"({"==": [0, false]})"), true);
  EXPECT_EQ(apply(R"({"==": [null, 0]})"), false);
  EXPECT_EQ(apply(R"({"==": [null, null]})"), true);
  EXPECT_EQ(apply(R"({"==": ["", 0]})"), true);
  EXPECT_EQ(apply(R"({"==": [[1], 1]})"), true);
  EXPECT_EQ(apply(R"({"===": [1, "1"]})"), false);
  EXPECT_EQ(apply(R"({"===": ["a", "a"]})"), true);
  EXPECT_EQ(apply(R"({"!=": [1, "2"]})"), true);
  EXPECT_EQ(apply(R"({"!==": [1, 1]})"), false);
  EXPECT_EQ(apply(R"({"==": [{"var": "nan"}, {"var": "nan"}]})", R"({"nan": "x"})"), true);
  EXPECT_EQ(apply(R"({"==": [{"/": [0, 0]}, {"/": [0, 0]}]})"), false) << "NaN != NaN";
}

TEST(JsonLogicNegation, UsesJsonLogicTruthiness) {
  EXPECT_EQ(apply(R"({"!": [[]]})"), true);
  EXPECT_EQ(apply(R"({"!": true})"), false);
  EXPECT_EQ(apply(R"({"!!": ["0"]})"), true);
  EXPECT_EQ(apply(R"({"!!": [0]})"), false);
  EXPECT_EQ(apply(R"({"!!": [{"var": "missing"}]})"), false);
}

TEST(JsonLogicAndOr, ShortCircuitAndReturnTheDecidingOperand) {
  EXPECT_EQ(apply(R"({"or": [false, 0, "a", "b"]})"), "a");
  EXPECT_EQ(apply(R"({"or": [false, 0]})"), 0);
  EXPECT_EQ(apply(R"({"and": [1, "x", 0, "never"]})"), 0);
  EXPECT_EQ(apply(R"({"and": [1, "last"]})"), "last");
  EXPECT_EQ(apply(R"({"and": []})"), json());
}

TEST(JsonLogicComparison, CoercesLikeJavaScriptAndSupportsBetween) {
  EXPECT_EQ(apply(R"({">": [2, 1]})"), true);
  EXPECT_EQ(apply(R"({">": ["10", 9]})"), true) << "number vs string compares numerically";
  EXPECT_EQ(apply(R"({"<": ["10", "9"]})"), true) << "two strings compare as text";
  EXPECT_EQ(apply(R"({">=": [1, 1]})"), true);
  EXPECT_EQ(apply(R"({"<=": [null, 0]})"), true);
  EXPECT_EQ(apply(R"({"<": ["abc", 1]})"), false) << "NaN compares false";
  EXPECT_EQ(apply(R"({">=": ["abc", 1]})"), false);
  EXPECT_EQ(apply(R"({"<": [1, 2, 3]})"), true);
  EXPECT_EQ(apply(R"({"<": [1, 3, 3]})"), false);
  EXPECT_EQ(apply(R"({"<=": [1, 3, 3]})"), true);
  EXPECT_EQ(apply(R"({"<=": [1, 4, 3]})"), false);
}

TEST(JsonLogicIn, SearchesSubstringsAndArrayElementsStrictly) {
  EXPECT_EQ(apply(R"({"in": ["Spring", "Springfield"]})"), true);
  EXPECT_EQ(apply(R"({"in": ["x", "Springfield"]})"), false);
  EXPECT_EQ(apply(R"({"in": ["b", ["a", "b"]]})"), true);
  EXPECT_EQ(apply(R"({"in": [1, ["1"]]})"), false) << "array membership is ===";
  EXPECT_EQ(apply(R"({"in": ["a", 5]})"), false);
  EXPECT_EQ(apply(R"({"in": [{"var": "plan"}, ["pro", "team"]]})", R"({"plan": "team"})"), true);
}

TEST(JsonLogicStrings, CatAndSubstrFollowJavaScript) {
  EXPECT_EQ(apply(R"({"cat": ["I love", " pie", 1, null, true]})"), "I love pie1nulltrue");
  EXPECT_EQ(apply(R"({"cat": [[1, 2], 0.5]})"), "1,20.5");
  EXPECT_EQ(apply(R"({"cat": [1e21, 1e-7]})"), "1e+211e-7");
  EXPECT_EQ(apply(R"({"substr": ["jsonlogic", 4]})"), "logic");
  EXPECT_EQ(apply(R"({"substr": ["jsonlogic", -5]})"), "logic");
  EXPECT_EQ(apply(R"({"substr": ["jsonlogic", 1, 3]})"), "son");
  EXPECT_EQ(apply(R"({"substr": ["jsonlogic", 4, -2]})"), "log");
  EXPECT_EQ(apply(R"({"substr": ["jsonlogic", 1, -1]})"), "sonlogi");
  EXPECT_EQ(apply(R"({"substr": ["héllo", 1, 2]})"), "él") << "counts characters, not bytes";
  EXPECT_EQ(apply(R"({"substr": [12345, 1, 2]})"), "23");
  EXPECT_EQ(apply(R"({"substr": ["abc", 10]})"), "");
}

TEST(JsonLogicArithmetic, CoercesOperandsAndHandlesBadInput) {
  EXPECT_EQ(apply(R"({"+": [1, "2", 3.5]})"), 6.5);
  EXPECT_EQ(apply(R"({"+": []})"), 0);
  EXPECT_EQ(apply(R"({"+": "3"})"), 3) << "unary + casts";
  EXPECT_EQ(apply(R"({"*": [2, "3"]})"), 6);
  EXPECT_EQ(apply(R"({"-": [5, 2]})"), 3);
  EXPECT_EQ(apply(R"({"-": [2]})"), -2);
  EXPECT_EQ(apply(R"({"/": [7, 2]})"), 3.5);
  EXPECT_EQ(apply(R"({"%": [7, 3]})"), 1);
  EXPECT_EQ(apply(R"({"%": [-7, 3]})"), -1);
  EXPECT_EQ(apply(R"({"min": [3, 1, "2"]})"), 1);
  EXPECT_EQ(apply(R"({"max": [3, 1, "7"]})"), 7);
  EXPECT_TRUE(std::isnan(apply(R"({"+": ["abc", 1]})").get<double>()));
  EXPECT_TRUE(std::isnan(apply(R"({"max": [1, "x"]})").get<double>()));
  EXPECT_TRUE(std::isinf(apply(R"({"/": [1, 0]})").get<double>()));
}

TEST(JsonLogicArrays, MergeMapFilterReduce) {
  EXPECT_EQ(apply(R"({"merge": [[1, 2], 3, [4, [5]]]})"), json::parse("[1, 2, 3, 4, [5]]"));
  EXPECT_EQ(apply(R"({"map": [{"var": "n"}, {"*": [{"var": ""}, 2]}]})", R"({"n": [1, 2, 3]})"),
            json::parse("[2, 4, 6]"));
  EXPECT_EQ(apply(R"({"map": ["not an array", 1]})"), json::array());
  EXPECT_EQ(apply(R"({"filter": [[1, 2, 3, 4], {"%": [{"var": ""}, 2]}]})"), json::parse("[1, 3]"));
  EXPECT_EQ(
      apply(R"({"reduce": [[1, 2, 3], {"+": [{"var": "current"}, {"var": "accumulator"}]}, 10]})"),
      16);
  EXPECT_EQ(apply(R"({"reduce": ["not an array", {"var": "current"}, "init"]})"), "init");
  EXPECT_EQ(apply(R"({"map": [{"var": "users"}, {"var": "name"}]})",
                  R"({"users": [{"name": "a"}, {"name": "b"}]})"),
            json::parse(R"(["a", "b"])"));
}

TEST(JsonLogicArrays, AllSomeNone) {
  EXPECT_EQ(apply(R"({"all": [[1, 2], {">": [{"var": ""}, 0]}]})"), true);
  EXPECT_EQ(apply(R"({"all": [[], {">": [{"var": ""}, 0]}]})"), false)
      << "json-logic-js: empty is false";
  EXPECT_EQ(apply(R"({"some": [[-1, 2], {">": [{"var": ""}, 1]}]})"), true);
  EXPECT_EQ(apply(R"({"some": [[], true]})"), false);
  EXPECT_EQ(apply(R"({"none": [[1, 2], {">": [{"var": ""}, 5]}]})"), true);
  EXPECT_EQ(apply(R"({"none": [[], true]})"), true);
}

TEST(JsonLogicData, ArraysAreEvaluatedAndMultiKeyObjectsAreLiterals) {
  EXPECT_EQ(apply(R"([1, {"var": "x"}])", R"({"x": "y"})"), json::parse(R"([1, "y"])"));
  EXPECT_EQ(apply(R"({"a": 1, "b": 2})"), json::parse(R"({"a": 1, "b": 2})"));
  EXPECT_EQ(apply(R"({"log": "passes through"})"), "passes through");
}

TEST(JsonLogicCompile, UnknownOperatorIsAnErrorNamingItsPath) {
  std::vector<JsonPathError> errors;
  const auto rule = json::parse(R"({"if": [{"starts_wit": ["a", "b"]}, "x", null]})");
  EXPECT_FALSE(Expression::compile(rule, "flags.f.targeting", {}, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "flags.f.targeting.if[0].starts_wit");
  EXPECT_NE(errors[0].message.find("unknown operator \"starts_wit\"; supported:"),
            std::string::npos);
}

TEST(JsonLogicCompile, RefIsReplacedByTheNamedEvaluator) {
  const auto evaluators =
      json::parse(R"({"is_admin": {"ends_with": [{"var": "email"}, "@ficus.dev"]}})");
  CompileOptions options;
  options.evaluators = &evaluators;
  std::vector<JsonPathError> errors;
  const auto rule = json::parse(R"({"if": [{"$ref": "is_admin"}, "on", "off"]})");
  auto expression = Expression::compile(rule, "t", options, errors);
  ASSERT_TRUE(expression);
  const json data = json::parse(R"({"email": "ann@ficus.dev"})");
  std::array<std::byte, 512> buffer;
  std::pmr::monotonic_buffer_resource arena(buffer.data(), buffer.size());
  EXPECT_EQ(to_json(expression->evaluate(EvalContext::from_json(data), "f", arena)), "on");
}

TEST(JsonLogicCompile, UnknownRefAndRefCyclesAreErrors) {
  const auto evaluators = json::parse(R"({"a": {"$ref": "b"}, "b": {"$ref": "a"}})");
  CompileOptions options;
  options.evaluators = &evaluators;
  std::vector<JsonPathError> errors;
  EXPECT_FALSE(Expression::compile(json::parse(R"({"$ref": "nope"})"), "t", options, errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, "t.$ref");
  EXPECT_NE(errors[0].message.find("no evaluator named \"nope\""), std::string::npos);
  errors.clear();
  EXPECT_FALSE(Expression::compile(json::parse(R"({"$ref": "a"})"), "t", options, errors));
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].message.find("refers to itself"), std::string::npos);
}

TEST(JsonLogicCompile, RejectsRulesNestedTooDeep) {
  std::string rule = "true";
  for (int i = 0; i < 100; ++i) rule = R"({"!": [)" + rule + "]}";
  std::vector<JsonPathError> errors;
  EXPECT_FALSE(Expression::compile(json::parse(rule), "t", {}, errors));
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].message.find("nested deeper"), std::string::npos);
}

class RequestAttributes : public AttributeResolver {
 public:
  std::optional<std::string_view> attribute(std::string_view path) const override {
    if (path == "headers.x-beta") return "1";
    if (path == "path") return "/orders/42";
    return std::nullopt;
  }
};

TEST(JsonLogicVar, RequestContextsAnswerFromTheAttributeResolver) {
  const auto rule = json::parse(
      R"({"and": [{"==": [{"var": "headers.x-beta"}, 1]}, {"starts_with": [{"var": "path"}, "/orders"]},
                  {"==": [{"var": "targetingKey"}, "u7"]}, {"!": {"var": "cookies.absent"}}]})");
  std::vector<JsonPathError> errors;
  auto expression = Expression::compile(rule, "t", {}, errors);
  ASSERT_TRUE(expression);
  RequestAttributes attributes;
  std::array<std::byte, 512> buffer;
  std::pmr::monotonic_buffer_resource arena(buffer.data(), buffer.size());
  EXPECT_EQ(to_json(expression->evaluate(EvalContext("u7", &attributes), "f", arena)), true);
  EXPECT_EQ(to_json(expression->evaluate(EvalContext("u8", &attributes), "f", arena)), false);
}

TEST(JsValue, NumbersPrintAsJavaScriptDoes) {
  char buffer[32];
  EXPECT_EQ(format_js_number(1, buffer), "1");
  EXPECT_EQ(format_js_number(-1.5, buffer), "-1.5");
  EXPECT_EQ(format_js_number(0.1 + 0.2, buffer), "0.30000000000000004");
  EXPECT_EQ(format_js_number(1e21, buffer), "1e+21");
  EXPECT_EQ(format_js_number(123456789012345680000.0, buffer), "123456789012345680000");
  EXPECT_EQ(format_js_number(0.000001, buffer), "0.000001");
  EXPECT_EQ(format_js_number(1.5e-7, buffer), "1.5e-7");
  EXPECT_EQ(format_js_number(-0.0, buffer), "0");
}

TEST(JsValue, StringsConvertToNumbersAsJavaScriptDoes) {
  EXPECT_EQ(to_number(Value::string(" 42 ")), 42);
  EXPECT_EQ(to_number(Value::string("")), 0);
  EXPECT_EQ(to_number(Value::string("0x1F")), 31);
  EXPECT_TRUE(std::isnan(to_number(Value::string("12px"))));
  EXPECT_TRUE(std::isnan(to_number(Value::string("inf"))));
  EXPECT_TRUE(std::isinf(to_number(Value::string("-Infinity"))));
  EXPECT_EQ(parse_float(Value::string("12px")), 12);
  EXPECT_TRUE(std::isnan(parse_float(Value::string("nan"))));
  EXPECT_TRUE(std::isnan(parse_float(Value())));
}

}  // namespace
}  // namespace ficus::flags
