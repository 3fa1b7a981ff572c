// Parsing and validating flag documents: every invalid input is rejected with its JSON path.
#include "flags/flag_set.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "flag_test_support.h"

namespace ficus::flags {
namespace {

using testing::parse_errors;

std::string one_flag(std::string_view body) {
  return R"({"flags": {"orders-cutover": )" + std::string(body) + "}}";
}

TEST(FlagSetParse, AcceptsAFullFlagdDocument) {
  const auto set = testing::flag_set(R"({
    "$schema": "https://flagd.dev/schema/v0/flags.json",
    "metadata": {"team": "orders", "version": "7"},
    "$evaluators": {"beta": {"==": [{"var": "headers.x-beta"}, "1"]}},
    "flags": {
      "orders-cutover": {"state": "ENABLED", "variants": {"new": "new", "old": "old"},
                         "defaultVariant": "old",
                         "targeting": {"if": [{"$ref": "beta"}, "new", {"fractional": [["new", 5], ["old", 95]]}]},
                         "metadata": {"owner": "ann"}},
      "banner": {"state": "DISABLED", "variants": {"on": true, "off": false}, "defaultVariant": null},
      "limits": {"state": "ENABLED", "variants": {"small": {"rps": 10}, "big": {"rps": 100}}}
    }})");
  ASSERT_EQ(set->size(), 3u);
  const Flag* flag = set->find("orders-cutover");
  ASSERT_NE(flag, nullptr);
  EXPECT_TRUE(flag->enabled);
  EXPECT_EQ(flag->type, ValueType::string);
  EXPECT_EQ(flag->default_value()->name, "old");
  EXPECT_TRUE(flag->targeting.has_value());
  EXPECT_EQ(flag->targeting_json.at("if").at(0), R"({"$ref": "beta"})"_json) << "kept as written";
  EXPECT_FALSE(set->find("banner")->enabled);
  EXPECT_EQ(set->find("banner")->default_value(), nullptr);
  EXPECT_EQ(set->find("limits")->type, ValueType::object);
  EXPECT_EQ(set->flags().front().key, "banner") << "flags are sorted by key";
}

TEST(FlagSetParse, FlagMetadataOverridesFlagSetMetadata) {
  const auto set = testing::flag_set(R"({"metadata": {"team": "orders", "version": "7"},
    "flags": {"f": {"state": "ENABLED", "variants": {"a": 1}, "metadata": {"version": 8, "on": true}}}})");
  EXPECT_EQ(set->find("f")->metadata, R"({"team": "orders", "version": 8, "on": true})"_json);
  EXPECT_EQ(set->metadata(), R"({"team": "orders", "version": "7"})"_json);
}

struct InvalidCase {
  std::string name;
  std::string document;
  std::string expected;  // "path: message" prefix
};

class FlagSetRejects : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(FlagSetRejects, NamingTheJsonPath) {
  const auto errors = parse_errors(GetParam().document);
  ASSERT_FALSE(errors.empty()) << "accepted: " << GetParam().document;
  EXPECT_EQ(errors[0].substr(0, GetParam().expected.size()), GetParam().expected) << errors[0];
}

INSTANTIATE_TEST_SUITE_P(
    InvalidDocuments, FlagSetRejects,
    ::testing::Values(
        InvalidCase{"SyntaxError", R"({"flags": {)",
                    ": invalid JSON: parse error at line 1, column 12"},
        // Found by tests/fuzz (flags): nlohmann reports this as out_of_range, not parse_error.
        InvalidCase{"NumberTooLarge", R"({"flags": {}, "x": 1e999})",
                    ": invalid JSON: number overflow"},
        InvalidCase{"NotAnObject", "[]", ": must be a JSON object"},
        InvalidCase{"NoFlags", "{}", "flags: missing"},
        InvalidCase{"FlagsNotObject", R"({"flags": []})",
                    "flags: must be an object keyed by flag key"},
        InvalidCase{"UnknownTopLevelKey", R"({"flags": {}, "flag": {}})",
                    "flag: unknown top-level key"},
        InvalidCase{"FlagNotObject", one_flag("true"), "flags.orders-cutover: must be an object"},
        InvalidCase{"EmptyVariants", one_flag(R"({"state": "ENABLED", "variants": {}})"),
                    "flags.orders-cutover.variants: must be a non-empty object"},
        InvalidCase{"MissingVariants", one_flag(R"({"state": "ENABLED"})"),
                    "flags.orders-cutover.variants: must be a non-empty object"},
        InvalidCase{"MissingState", one_flag(R"({"variants": {"a": 1}})"),
                    "flags.orders-cutover.state: missing"},
        InvalidCase{"BadState", one_flag(R"({"state": "ON", "variants": {"a": 1}})"),
                    "flags.orders-cutover.state: must be \"ENABLED\" or \"DISABLED\", not \"ON\""},
        InvalidCase{"MixedVariantTypes",
                    one_flag(R"({"state": "ENABLED", "variants": {"a": 1, "b": "x"}})"),
                    "flags.orders-cutover.variants.b: is string but the first variant is number"},
        InvalidCase{"NullVariant", one_flag(R"({"state": "ENABLED", "variants": {"a": null}})"),
                    "flags.orders-cutover.variants.a: must be a boolean, string, number or object"},
        InvalidCase{"ArrayVariant", one_flag(R"({"state": "ENABLED", "variants": {"a": [1]}})"),
                    "flags.orders-cutover.variants.a: must be a boolean, string, number or object"},
        InvalidCase{
            "UnknownDefault",
            one_flag(R"({"state": "ENABLED", "variants": {"a": 1}, "defaultVariant": "b"})"),
            "flags.orders-cutover.defaultVariant: \"b\" is not a key of \"variants\""},
        InvalidCase{"DefaultNotString",
                    one_flag(R"({"state": "ENABLED", "variants": {"a": 1}, "defaultVariant": 1})"),
                    "flags.orders-cutover.defaultVariant: must be the name of a variant"},
        InvalidCase{"TargetingNotObject",
                    one_flag(R"({"state": "ENABLED", "variants": {"a": 1}, "targeting": "a"})"),
                    "flags.orders-cutover.targeting: must be a JSON Logic object"},
        InvalidCase{"TargetingTypo",
                    one_flag(R"({"state": "ENABLED", "variants": {"a": 1}, "targetting": {}})"),
                    "flags.orders-cutover.targetting: unknown key"},
        InvalidCase{
            "UnknownOperator",
            one_flag(
                R"({"state": "ENABLED", "variants": {"a": 1}, "targeting": {"iff": [true, "a"]}})"),
            "flags.orders-cutover.targeting.iff: unknown operator \"iff\""},
        InvalidCase{
            "UnknownRef",
            one_flag(R"({"state": "ENABLED", "variants": {"a": 1}, "targeting": {"$ref": "x"}})"),
            "flags.orders-cutover.targeting.$ref: no evaluator named \"x\""},
        InvalidCase{"ResultNamesNoVariant",
                    one_flag(R"({"state": "ENABLED", "variants": {"new": 1, "old": 2},
                                 "targeting": {"if": [{"var": "x"}, "nwe", "old"]}})"),
                    "flags.orders-cutover.targeting.if[1]: \"nwe\" is not a variant of this flag"},
        InvalidCase{"BadEvaluator", R"({"flags": {}, "$evaluators": {"e": {"nope": 1}}})",
                    "$evaluators.e.nope: unknown operator"},
        InvalidCase{
            "MetadataNotScalar",
            one_flag(R"({"state": "ENABLED", "variants": {"a": 1}, "metadata": {"tags": ["x"]}})"),
            "flags.orders-cutover.metadata.tags: must be a string, number or boolean"},
        InvalidCase{"SetMetadataNotObject", R"({"flags": {}, "metadata": 3})",
                    "metadata: must be an object"},
        InvalidCase{"OddFlagKey", R"({"flags": {"a b": {"state": "ENABLED"}}})",
                    "flags[\"a b\"].variants: must be a non-empty object"}),
    [](const auto& test) { return test.param.name; });

TEST(FlagSetParse, ReportsEveryErrorNotJustTheFirst) {
  const auto errors = parse_errors(R"({"flags": {
      "a": {"state": "ENABLED", "variants": {}},
      "b": {"state": "OFF", "variants": {"x": 1}}}})");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].substr(0, 12), "flags.a.vari");
  EXPECT_EQ(errors[1].substr(0, 13), "flags.b.state");
}

TEST(FlagSetParse, LenientLoadingDefersWhatFlagdDefers) {
  const std::string document = one_flag(R"({"state": "ENABLED", "variants": {"a": 1, "b": 2},
      "defaultVariant": "b", "targeting": {"invalid": ["x"]}, "extra": true})");
  EXPECT_FALSE(parse_errors(document, /*strict=*/true).empty());
  EXPECT_TRUE(parse_errors(document, /*strict=*/false).empty());
  const auto set = testing::flag_set(document, /*strict=*/false);
  const auto r = testing::eval(*set, "orders-cutover");
  EXPECT_EQ(r.resolution.error_code, ErrorCode::PARSE_ERROR);
  EXPECT_EQ(r.resolution.reason, Reason::ERROR);
  EXPECT_EQ(r.resolution.value, nullptr);
}

TEST(FlagSetParse, ErrorToStringNamesSourcePathAndMessage) {
  const FlagError e{"/etc/ficus/flags.json", "flags.orders-cutover.variants",
                    "must be a non-empty object"};
  EXPECT_EQ(e.to_string(),
            "/etc/ficus/flags.json: flags.orders-cutover.variants: must be a non-empty object");
}

class FlagFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ficus-flagset-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  std::filesystem::path dir_;
};

TEST_F(FlagFiles, LaterSourcesWinPerFlagKey) {
  const auto base = write("base.json", R"({"metadata": {"env": "base"}, "flags": {
      "a": {"state": "ENABLED", "variants": {"v": "base"}, "defaultVariant": "v"},
      "b": {"state": "ENABLED", "variants": {"v": "base"}, "defaultVariant": "v"}}})");
  const auto overrides = write("override.json", R"({"metadata": {"env": "override"}, "flags": {
      "b": {"state": "ENABLED", "variants": {"v": "override"}, "defaultVariant": "v"}}})");
  const auto loaded = load_flag_sources({"file:" + base, overrides});
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.set->find("a")->variants[0].value, "base");
  EXPECT_EQ(loaded.set->find("b")->variants[0].value, "override");
  EXPECT_EQ(loaded.set->find("b")->source, overrides);
  EXPECT_EQ(loaded.set->find("a")->metadata.at("env"), "base") << "set metadata of its own file";
  EXPECT_EQ(loaded.set->metadata().at("env"), "override");
}

TEST_F(FlagFiles, ErrorsNameTheFile) {
  const auto bad = write("bad.json", one_flag(R"({"state": "ENABLED", "variants": {}})"));
  const auto loaded = load_flag_sources(
      {"file:" + bad, "file:" + (dir_ / "absent.json").string(), "http://example.com/flags.json"});
  ASSERT_EQ(loaded.errors.size(), 3u);
  EXPECT_EQ(loaded.errors[0].to_string(),
            bad + ": flags.orders-cutover.variants: must be a non-empty object");
  EXPECT_NE(loaded.errors[1].to_string().find("absent.json: cannot be read"), std::string::npos);
  EXPECT_NE(loaded.errors[2].to_string().find("unsupported flag source"), std::string::npos);
  EXPECT_EQ(loaded.set, nullptr);
}

}  // namespace
}  // namespace ficus::flags
