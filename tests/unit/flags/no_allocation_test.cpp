// The per-request paths must not touch the heap (counted by allocation_counter.cpp).
#include <gtest/gtest.h>

#include "allocation_counter.h"
#include "flag_test_support.h"

namespace ficus::flags {
namespace {

class RequestAttributes : public AttributeResolver {
 public:
  std::optional<std::string_view> attribute(std::string_view path) const override {
    if (path == "method") return "GET";
    if (path == "path") return "/orders/42";
    if (path == "headers.x-region") return "eu";
    if (path == "headers.x-app-version") return "2.3.1";
    if (path == "host") return "api.example.com";
    return std::nullopt;
  }
};

TEST(NoAllocation, FractionalEvaluationWithARequestContext) {
  const auto set = testing::flag_set(R"({"flags": {"orders-cutover": {"state": "ENABLED",
      "variants": {"new": "new", "old": "old"}, "defaultVariant": "old",
      "targeting": {"fractional": [["new", 10], ["old", 90]]}}}})");
  const EvalContext context(std::string_view("user-0123456789abcde"));
  Resolution r;
  EXPECT_EQ(testing::allocations_during([&] { r = evaluate(*set, "orders-cutover", context); }),
            0u);
  EXPECT_EQ(r.reason, Reason::TARGETING_MATCH);
  // The counter works: building a string on the heap is seen.
  EXPECT_GT(testing::allocations_during([] { std::string s(100, 'x'); }), 0u);
}

TEST(NoAllocation, RuleWithFiveConditionsOverRequestAttributes) {
  const auto set = testing::flag_set(R"({"flags": {"orders-cutover": {"state": "ENABLED",
      "variants": {"new": "new", "old": "old"}, "defaultVariant": "old",
      "targeting": {"if": [{"and": [
          {"==": [{"var": "method"}, "GET"]},
          {"starts_with": [{"var": "path"}, "/orders"]},
          {"in": [{"var": "headers.x-region"}, ["eu", "us"]]},
          {"sem_ver": [{"var": "headers.x-app-version"}, ">=", "2.0.0"]},
          {"ends_with": [{"var": "host"}, ".example.com"]}]}, "new", "old"]}}}})");
  RequestAttributes attributes;
  const EvalContext context(std::string_view("user-1"), &attributes);
  Resolution r;
  EXPECT_EQ(testing::allocations_during([&] { r = evaluate(*set, "orders-cutover", context); }),
            0u);
  EXPECT_EQ(r.variant, "new");
}

}  // namespace
}  // namespace ficus::flags
