// sem_ver against flagd's conformance scenarios and semver.org precedence.
#include "flags/ops/sem_ver.h"

#include <array>

#include <gtest/gtest.h>

#include "flag_test_support.h"

namespace ficus::flags {
namespace {

Value compare(Value a, std::string_view op, Value b) {
  std::array<std::byte, 256> buffer;
  std::pmr::monotonic_buffer_resource arena(buffer.data(), buffer.size());
  const std::array<Value, 3> args{a, Value::string(op), b};
  return ops::sem_ver(args, arena);
}

bool holds(std::string_view a, std::string_view op, std::string_view b) {
  const Value v = compare(Value::string(a), op, Value::string(b));
  EXPECT_EQ(v.type(), Value::Type::boolean) << a << " " << op << " " << b;
  return v.type() == Value::Type::boolean && v.as_boolean();
}

TEST(SemVer, ComparesByPrecedence) {
  EXPECT_TRUE(holds("2.0.0", "=", "2.0.0"));
  EXPECT_TRUE(holds("2.1.0", ">", "2.0.0"));
  EXPECT_TRUE(holds("1.9.0", "<", "2.0.0"));
  EXPECT_TRUE(holds("1.10.0", ">", "1.9.0")) << "numeric, not text, comparison";
  EXPECT_TRUE(holds("2.0.0-alpha", "<", "2.0.0"));
  EXPECT_TRUE(holds("1.0.0-alpha", "<", "1.0.0-alpha.1"));
  EXPECT_TRUE(holds("1.0.0-alpha.1", "<", "1.0.0-alpha.beta"));
  EXPECT_TRUE(holds("1.0.0-beta.2", "<", "1.0.0-beta.11"));
  EXPECT_TRUE(holds("1.0.0-rc.1", "<", "1.0.0"));
  EXPECT_TRUE(holds("1.0.0", "<=", "1.0.0"));
  EXPECT_TRUE(holds("1.0.1", ">=", "1.0.0"));
  EXPECT_TRUE(holds("1.0.1", "!=", "1.0.0"));
}

TEST(SemVer, CaretMatchesMajorAndTildeMatchesMinor) {
  EXPECT_TRUE(holds("3.1.0", "^", "3.0.0"));
  EXPECT_FALSE(holds("4.0.0", "^", "3.0.0"));
  EXPECT_TRUE(holds("3.0.1", "~", "3.0.0"));
  EXPECT_FALSE(holds("3.1.0", "~", "3.0.0"));
}

TEST(SemVer, AcceptsVPrefixPartialVersionsAndIgnoresBuildMetadata) {
  EXPECT_TRUE(holds("v1.0.0", "=", "1.0.0"));
  EXPECT_TRUE(holds("V1.0.0", "=", "v1.0.0"));
  EXPECT_TRUE(holds("1", "=", "1.0.0"));
  EXPECT_TRUE(holds("1.2", "=", "1.2.0"));
  EXPECT_TRUE(holds("1.0.0+other", "=", "1.0.0+build"));
  EXPECT_TRUE(compare(Value::number(1.2), ">", Value::string("1.1")).as_boolean());
  EXPECT_FALSE(compare(Value::number(1), ">", Value::string("1.1")).as_boolean());
  EXPECT_TRUE(compare(Value::number(2), ">", Value::string("1.1")).as_boolean());
}

TEST(SemVer, BadInputGivesNull) {
  EXPECT_TRUE(compare(Value::string("2.0.0.0"), "=", Value::string("2.0.0")).is_null());
  EXPECT_TRUE(compare(Value::string("not-a-version"), "=", Value::string("1.0.0")).is_null());
  EXPECT_TRUE(compare(Value::string("01.0.0"), "=", Value::string("1.0.0")).is_null());
  EXPECT_TRUE(compare(Value::string("1.0-rc.1"), "=", Value::string("1.0.0")).is_null())
      << "partial versions carry no pre-release";
  EXPECT_TRUE(compare(Value::string("1.0.0"), "===", Value::string("1.0.0")).is_null());
  EXPECT_TRUE(compare(Value(), "=", Value::string("1.0.0")).is_null());
  std::array<std::byte, 64> buffer;
  std::pmr::monotonic_buffer_resource arena(buffer.data(), buffer.size());
  const std::array<Value, 2> two{Value::string("1.0.0"), Value::string("=")};
  EXPECT_TRUE(ops::sem_ver(two, arena).is_null());
}

constexpr std::string_view kSemVerFlags = R"({
  "flags": {
    "equal-greater-lesser-version-flag": {
      "state": "ENABLED",
      "variants": {"equal": "equal", "greater": "greater", "lesser": "lesser", "none": "none"},
      "defaultVariant": "none",
      "targeting": {"if": [{"sem_ver": [{"var": "version"}, "=", "2.0.0"]}, "equal",
                           {"sem_ver": [{"var": "version"}, ">", "2.0.0"]}, "greater",
                           {"sem_ver": [{"var": "version"}, "<", "2.0.0"]}, "lesser", "none"]}
    },
    "semver-invalid-operator-flag": {
      "state": "ENABLED",
      "variants": {"true": "true", "false": "false", "fallback": "fallback"},
      "defaultVariant": "fallback",
      "targeting": {"sem_ver": [{"var": "version"}, "===", "1.0.0"]}
    }
  }
})";

TEST(SemVer, FlagsFallBackToTheDefaultOnBadVersions) {
  const auto set = testing::flag_set(kSemVerFlags, /*strict=*/false);
  EXPECT_EQ(testing::eval(*set, "equal-greater-lesser-version-flag", R"({"version": "2.0.0"})")
                .value_text(),
            "equal");
  EXPECT_EQ(testing::eval(*set, "equal-greater-lesser-version-flag", R"({"version": "2.1.0"})")
                .value_text(),
            "greater");
  EXPECT_EQ(
      testing::eval(*set, "equal-greater-lesser-version-flag", R"({"version": "2.0.0-alpha"})")
          .value_text(),
      "lesser");
  EXPECT_EQ(testing::eval(*set, "equal-greater-lesser-version-flag", R"({"version": "2.0.0.0"})")
                .value_text(),
            "none");
  const auto r = testing::eval(*set, "semver-invalid-operator-flag", R"({"version": "1.0.0"})");
  EXPECT_EQ(r.value_text(), "fallback");
  EXPECT_EQ(r.resolution.reason, Reason::DEFAULT);
}

TEST(SemVer, StrictLoadingRejectsUnknownOperatorsAndBadLiteralVersions) {
  const auto errors = testing::parse_errors(R"({"flags": {"f": {"state": "ENABLED",
      "variants": {"a": "a"}, "defaultVariant": "a",
      "targeting": {"if": [{"sem_ver": [{"var": "v"}, "=>", "1.x"]}, "a", null]}}}})");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].substr(0, errors[0].find(':')), "flags.f.targeting.if[0].sem_ver[1]");
  EXPECT_EQ(errors[1].substr(0, errors[1].find(':')), "flags.f.targeting.if[0].sem_ver[2]");
}

}  // namespace
}  // namespace ficus::flags
