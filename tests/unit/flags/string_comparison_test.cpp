#include "flags/ops/string_comparison.h"

#include <array>

#include <gtest/gtest.h>

#include "flag_test_support.h"

namespace ficus::flags {
namespace {

TEST(StringComparison, StartsWithAndEndsWithCompareStrings) {
  const std::array<Value, 2> email{Value::string("user@faas.com"), Value::string("user@")};
  EXPECT_TRUE(ops::starts_with(email).as_boolean());
  EXPECT_FALSE(ops::ends_with(email).as_boolean());
  const std::array<Value, 2> suffix{Value::string("user@faas.com"), Value::string("faas.com")};
  EXPECT_TRUE(ops::ends_with(suffix).as_boolean());
}

TEST(StringComparison, NonStringsAndWrongCountsGiveNull) {
  const std::array<Value, 2> number{Value::number(123), Value::string("1")};
  EXPECT_TRUE(ops::starts_with(number).is_null());
  EXPECT_TRUE(ops::ends_with(number).is_null());
  const std::array<Value, 1> one{Value::string("abc")};
  EXPECT_TRUE(ops::starts_with(one).is_null());
  const std::array<Value, 3> three{Value::string("a"), Value::string("a"), Value::string("a")};
  EXPECT_TRUE(ops::ends_with(three).is_null());
}

TEST(StringComparison, FlagsMatchLikeFlagdConformance) {
  const auto set = testing::flag_set(R"({"flags": {"starts-ends-flag": {
      "state": "ENABLED", "variants": {"prefix": "prefix", "postfix": "postfix", "none": "none"},
      "defaultVariant": "none",
      "targeting": {"if": [{"starts_with": [{"var": "id"}, "abc"]}, "prefix",
                           {"ends_with": [{"var": "id"}, "xyz"]}, "postfix", "none"]}}}})");
  EXPECT_EQ(testing::eval(*set, "starts-ends-flag", R"({"id": "abcdef"})").value_text(), "prefix");
  EXPECT_EQ(testing::eval(*set, "starts-ends-flag", R"({"id": "uvwxyz"})").value_text(), "postfix");
  EXPECT_EQ(testing::eval(*set, "starts-ends-flag", R"({"id": "abcxyz"})").value_text(), "prefix");
  EXPECT_EQ(testing::eval(*set, "starts-ends-flag", R"({"id": "lmnopq"})").value_text(), "none");
  EXPECT_EQ(testing::eval(*set, "starts-ends-flag", R"({"id": 3})").value_text(), "none");
}

TEST(StringComparison, NullResultFallsThroughToTheDefaultVariant) {
  const auto set = testing::flag_set(R"({"flags": {"f": {
      "state": "ENABLED", "variants": {"true": "true", "false": "false", "fallback": "fallback"},
      "defaultVariant": "fallback", "targeting": {"starts_with": [{"var": "num"}, "abc"]}}}})");
  const auto r = testing::eval(*set, "f", R"({"num": 123})");
  EXPECT_EQ(r.value_text(), "fallback");
  EXPECT_EQ(r.resolution.reason, Reason::DEFAULT);
}

}  // namespace
}  // namespace ficus::flags
