// handle_ofrep called directly: status codes and bodies as the OFREP spec and flagd give them.
#include "flags/ofrep.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "flag_test_support.h"

namespace ficus::flags {
namespace {

using nlohmann::json;

constexpr std::string_view kFlags = R"({
  "metadata": {"flagSetId": "shop"},
  "flags": {
    "orders-cutover": {"state": "ENABLED", "variants": {"new": "new", "old": "old"}, "defaultVariant": "old",
                       "metadata": {"owner": "orders"},
                       "targeting": {"if": [{"==": [{"var": "plan"}, "beta"]}, "new", null]}},
    "no-default": {"state": "ENABLED", "variants": {"on": true, "off": false}},
    "banner": {"state": "DISABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
    "broken": {"state": "ENABLED", "variants": {"a": 1}, "defaultVariant": "a", "targeting": {"nope": [1]}}
  }
})";

class Ofrep : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { set_ = testing::flag_set(kFlags, /*strict=*/false); }
  static void TearDownTestSuite() { set_.reset(); }
  static OfrepReply post(std::string_view target, std::string_view body,
                         std::string_view if_none_match = "") {
    return handle_ofrep(*set_, 7, "POST", target, body, if_none_match);
  }
  static std::shared_ptr<const FlagSet> set_;
};
std::shared_ptr<const FlagSet> Ofrep::set_;

TEST_F(Ofrep, SingleEvaluationReturnsValueReasonVariantAndMetadata) {
  const auto r = post("/ofrep/v1/evaluate/flags/orders-cutover",
                      R"({"context": {"targetingKey": "u1", "plan": "beta"}})");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(json::parse(r.body),
            R"({"key": "orders-cutover", "value": "new", "reason": "TARGETING_MATCH",
      "variant": "new", "metadata": {"flagSetId": "shop", "owner": "orders"}})"_json);
  EXPECT_TRUE(r.etag.empty());
}

TEST_F(Ofrep, NoDefaultVariantOmitsTheValue) {
  const auto r = post("/ofrep/v1/evaluate/flags/no-default", R"({"context": {}})");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(
      json::parse(r.body),
      R"({"key": "no-default", "reason": "DEFAULT", "metadata": {"flagSetId": "shop"}})"_json);
}

TEST_F(Ofrep, DisabledFlagOmitsTheValue) {
  const auto body = json::parse(post("/ofrep/v1/evaluate/flags/banner", "{}").body);
  EXPECT_EQ(body.at("reason"), "DISABLED");
  EXPECT_FALSE(body.contains("value"));
}

TEST_F(Ofrep, UnknownFlagIs404FlagNotFound) {
  const auto r = post("/ofrep/v1/evaluate/flags/nope", R"({"context": {}})");
  EXPECT_EQ(r.status, 404u);
  const auto body = json::parse(r.body);
  EXPECT_EQ(body.at("key"), "nope");
  EXPECT_EQ(body.at("errorCode"), "FLAG_NOT_FOUND");
  EXPECT_EQ(body.at("errorDetails"), "flag \"nope\" not found");
}

TEST_F(Ofrep, ParseErrorIs400) {
  const auto r = post("/ofrep/v1/evaluate/flags/broken", R"({"context": {}})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(json::parse(r.body).at("errorCode"), "PARSE_ERROR");
}

TEST_F(Ofrep, MalformedBodiesAre400InvalidContextSayingWhatToSend) {
  for (const char* body :
       {"{", "[]", R"({"context": 5})", R"({"context": {"targetingKey": 42}})"}) {
    const auto r = post("/ofrep/v1/evaluate/flags/orders-cutover", body);
    EXPECT_EQ(r.status, 400u) << body;
    const auto reply = json::parse(r.body);
    EXPECT_EQ(reply.at("key"), "orders-cutover");
    EXPECT_EQ(reply.at("errorCode"), "INVALID_CONTEXT") << body;
    EXPECT_FALSE(reply.at("errorDetails").get<std::string>().empty());
  }
}

TEST_F(Ofrep, EmptyBodyMeansEmptyContext) {
  EXPECT_EQ(post("/ofrep/v1/evaluate/flags/orders-cutover", "").status, 200u);
}

TEST_F(Ofrep, FlagKeysArePercentDecoded) {
  const auto r = post("/ofrep/v1/evaluate/flags/orders%2Dcutover?x=1", "{}");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(json::parse(r.body).at("key"), "orders-cutover");
}

TEST_F(Ofrep, OtherMethodsAre405WithAllow) {
  const auto r = handle_ofrep(*set_, 7, "GET", "/ofrep/v1/evaluate/flags/orders-cutover", "", "");
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.allow, "POST");
  EXPECT_NE(json::parse(r.body)
                .at("errorDetails")
                .get<std::string>()
                .find("POST /ofrep/v1/evaluate/flags"),
            std::string::npos);
}

TEST_F(Ofrep, UnknownPathsAre404WithUsage) {
  for (const char* target :
       {"/ofrep/v2/evaluate/flags/x", "/ofrep/v1/evaluate/flags/a/b", "/ofrep/v1"}) {
    const auto r = post(target, "{}");
    EXPECT_EQ(r.status, 404u) << target;
    EXPECT_TRUE(json::parse(r.body).contains("errorDetails"));
  }
  EXPECT_TRUE(is_ofrep_path("/ofrep/v1/evaluate/flags"));
  EXPECT_FALSE(is_ofrep_path("/admin/config"));
}

TEST_F(Ofrep, BulkEvaluatesEveryFlagWithAnETag) {
  const auto r = post("/ofrep/v1/evaluate/flags", R"({"context": {"targetingKey": "u1"}})");
  EXPECT_EQ(r.status, 200u);
  const auto body = json::parse(r.body);
  ASSERT_EQ(body.at("flags").size(), 4u);
  EXPECT_EQ(body.at("flags")[0].at("key"), "banner");
  EXPECT_EQ(body.at("flags")[1].at("errorCode"), "PARSE_ERROR")
      << "failures are items, not the reply";
  EXPECT_EQ(body.at("flags")[3].at("value"), "old");
  EXPECT_EQ(body.at("metadata"), R"({"flagSetId": "shop"})"_json);
  EXPECT_EQ(r.etag.front(), '"');
  EXPECT_EQ(r.etag.substr(0, 3), "\"7-") << "the generation is part of the tag";
  EXPECT_EQ(post("/ofrep/v1/evaluate/flags/", R"({"context": {"targetingKey": "u1"}})").etag,
            r.etag);
}

TEST_F(Ofrep, BulkIfNoneMatchGives304OnlyWhenNothingChanged) {
  const std::string body = R"({"context": {"targetingKey": "u1"}})";
  const auto first = post("/ofrep/v1/evaluate/flags", body);
  const auto again = post("/ofrep/v1/evaluate/flags", body, first.etag);
  EXPECT_EQ(again.status, 304u);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.etag, first.etag);
  EXPECT_EQ(post("/ofrep/v1/evaluate/flags", body, "\"other\", W/" + first.etag).status, 304u);
  EXPECT_EQ(post("/ofrep/v1/evaluate/flags", body, "*").status, 304u);
  // Another context's results differ, and so does the next generation's tag.
  EXPECT_EQ(post("/ofrep/v1/evaluate/flags", R"({"context": {"plan": "beta"}})", first.etag).status,
            200u);
  EXPECT_EQ(handle_ofrep(*set_, 8, "POST", "/ofrep/v1/evaluate/flags", body, first.etag).status,
            200u);
}

TEST_F(Ofrep, BulkMalformedBodyIs400WithoutKey) {
  const auto r = post("/ofrep/v1/evaluate/flags", "nonsense");
  EXPECT_EQ(r.status, 400u);
  const auto body = json::parse(r.body);
  EXPECT_EQ(body.at("errorCode"), "INVALID_CONTEXT");
  EXPECT_FALSE(body.contains("key"));
}

}  // namespace
}  // namespace ficus::flags
