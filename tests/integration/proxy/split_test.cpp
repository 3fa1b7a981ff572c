// Traffic split through the real binary: flags decide old or new per request.
#include <fstream>
#include <map>
#include <thread>

#include "tests/integration/proxy/proxy_fixture.h"

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;

nlohmann::json flag_file(const nlohmann::json& targeting, const char* state = "ENABLED") {
  nlohmann::json flag = {
      {"state", state}, {"variants", {{"old", "old"}, {"new", "new"}}}, {"defaultVariant", "old"}};
  if (!targeting.is_null()) flag["targeting"] = targeting;
  return {{"flags", {{"orders-cutover", flag}}}};
}

// {"fractional": [["old", OLD], ["new", NEW]]}, variants in that order.
nlohmann::json fractional(int old_weight, int new_weight) {
  return nlohmann::json::parse(R"({"fractional": [["old", )" + std::to_string(old_weight) +
                               R"(], ["new", )" + std::to_string(new_weight) + "]]}");
}

class SplitTest : public ProxyTest {
 protected:
  // Starts the proxy with the orders route driven by `orders-cutover` from `flags`.
  void start(const nlohmann::json& flags, nlohmann::json route_extra = nlohmann::json::object()) {
    flags_dir_ = make_temp_dir();
    write_flags(flags);
    auto config = base_config();
    config["flags"] = {{"sources", {"file:" + (flags_dir_ / "flags.json").string()}}};
    auto& orders = config["routes"][0];
    orders["flag"] = "orders-cutover";
    orders["bucket_by"] = {{"header", "x-user-id"}};
    for (auto& [key, value] : route_extra.items()) orders[key] = value;
    proxy_ = std::make_unique<ProxyProcess>(config);
  }
  void write_flags(const nlohmann::json& flags) {
    auto temp = flags_dir_ / "flags.json.tmp";
    std::ofstream(temp) << flags.dump(2);
    std::filesystem::rename(temp, flags_dir_ / "flags.json");
  }
  std::string target_for(const std::string& user, const Headers& extra = {},
                         const std::string& path = "/orders") {
    Headers headers = extra;
    headers.emplace_back("x-user-id", user);
    auto reply = http_get(proxy_->port(), path, headers);
    EXPECT_EQ(reply.status, 200) << reply.error;
    EXPECT_EQ(reply.header("x-ficus-target"), reply.header("x-upstream-name"));
    return reply.header("x-ficus-target");
  }
  void TearDown() override {
    proxy_.reset();
    std::filesystem::remove_all(flags_dir_);
  }
  std::filesystem::path flags_dir_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(SplitTest, FractionalSplitIsAccurateAndSticky) {
  start(flag_file(fractional(80, 20)));
  std::map<std::string, std::string> first;
  int to_new = 0;
  constexpr int kUsers = 1000;
  HttpConnection client(proxy_->port());
  for (int i = 0; i < kUsers; ++i) {
    std::string user = "user-" + std::to_string(i);
    auto reply = client.request("GET", "/orders", {{"x-user-id", user}});
    ASSERT_EQ(reply.status, 200) << reply.error;
    first[user] = reply.header("x-ficus-target");
    to_new += first[user] == "new";
  }
  // 20 % of 1,000 keys: a binomial with sd 1.3 points; 5 points is far outside chance.
  EXPECT_NEAR(to_new / double(kUsers), 0.20, 0.05);
  for (int i = 0; i < kUsers; i += 50) {
    std::string user = "user-" + std::to_string(i);
    EXPECT_EQ(client.request("GET", "/orders", {{"x-user-id", user}}).header("x-ficus-target"),
              first[user])
        << user << " moved";
  }
}

TEST_F(SplitTest, SameBucketAsFlagdForTheSameKey) {
  // orders-cutover + user-42 hashes to 1558193588 (shared vectors): bucket 1558193588*100>>32 = 36.
  start(flag_file(nlohmann::json::parse(R"({"fractional": [["new", 37], ["old", 63]]})")));
  EXPECT_EQ(target_for("user-42"), "new");
  write_flags(flag_file(nlohmann::json::parse(R"({"fractional": [["new", 36], ["old", 64]]})")));
  ASSERT_TRUE(proxy_->wait_for_log("flags loaded, generation 2"));
  EXPECT_EQ(target_for("user-42"), "old");
}

TEST_F(SplitTest, InternalUsersAndExportPathGoToNewOthersSplit9505) {
  auto targeting = nlohmann::json::parse(R"({"if": [
      {"or": [{"==": [{"var": "headers.x-internal"}, "1"]},
              {"starts_with": [{"var": "path"}, "/orders/export"]}]},
      "new",
      {"fractional": [["old", 95], ["new", 5]]}]})");
  start(flag_file(targeting));
  int to_new = 0;
  for (int i = 0; i < 400; ++i) {
    std::string user = "u" + std::to_string(i);
    EXPECT_EQ(target_for(user, {{"x-internal", "1"}}), "new");
    EXPECT_EQ(target_for(user, {}, "/orders/export/2026"), "new");
    to_new += target_for(user) == "new";
  }
  EXPECT_LT(to_new, 400 * 0.12) << "everyone else is split 95/5";
  EXPECT_GT(to_new, 0);
}

TEST_F(SplitTest, HandEditedFlagFileIsAppliedWithoutRestart) {
  start(flag_file(fractional(100, 0)));
  EXPECT_EQ(target_for("alice"), "old");
  write_flags(flag_file(fractional(0, 100)));
  ASSERT_TRUE(proxy_->wait_for_log("flags loaded, generation 2"));
  EXPECT_EQ(target_for("alice"), "new");
}

TEST_F(SplitTest, InvalidFlagFileKeepsLastGoodFlagsServing) {
  start(flag_file(fractional(0, 100)));
  EXPECT_EQ(target_for("alice"), "new");
  std::ofstream(flags_dir_ / "flags.json") << R"({"flags": {"orders-cutover": {"variants": {}}}})";
  ASSERT_TRUE(proxy_->wait_for_log("flag reload rejected", 10s));
  EXPECT_NE(proxy_->log().find("flags.orders-cutover"), std::string::npos) << proxy_->log();
  EXPECT_EQ(target_for("alice"), "new");
}

TEST_F(SplitTest, DisabledFlagSendsEveryoneToOldEvenWithOverride) {
  start(flag_file(fractional(0, 100), "DISABLED"), {{"override", {{"header", "x-ficus-target"}}}});
  EXPECT_EQ(target_for("alice"), "old");
  EXPECT_EQ(target_for("alice", {{"X-Ficus-Target", "new"}}), "old") << "kill switch wins";
}

TEST_F(SplitTest, OverrideHeaderBeatsFlagOnlyWhenConfigured) {
  start(flag_file(fractional(100, 0)), {{"override", {{"header", "x-ficus-target"}}}});
  EXPECT_EQ(target_for("alice", {{"X-Ficus-Target", "new"}}), "new");
  EXPECT_EQ(target_for("alice", {{"X-Ficus-Target", "bogus"}}), "old");
}

TEST_F(SplitTest, OverrideIsIgnoredWhenNotConfigured) {
  start(flag_file(fractional(100, 0)));
  EXPECT_EQ(target_for("alice", {{"X-Ficus-Target", "new"}}), "old");
}

TEST_F(SplitTest, OverrideWithSecretNeedsTheSecret) {
  ::setenv("FICUS_TEST_OVERRIDE_SECRET", "letmein", 1);
  start(
      flag_file(fractional(100, 0)),
      {{"override", {{"header", "x-ficus-target"}, {"secret_env", "FICUS_TEST_OVERRIDE_SECRET"}}}});
  ::unsetenv("FICUS_TEST_OVERRIDE_SECRET");
  EXPECT_EQ(target_for("alice", {{"X-Ficus-Target", "new"}}), "old");
  EXPECT_EQ(target_for("alice", {{"X-Ficus-Target", "new;wrong"}}), "old");
  EXPECT_EQ(target_for("alice", {{"X-Ficus-Target", "new;letmein"}}), "new");
  // The header is for Ficus: the upstream never sees it, nor the secret in it.
  auto seen = new_upstream_->requests().back();
  EXPECT_FALSE(seen.header("x-ficus-target").has_value());
  for (const auto& [name, value] : seen.headers) {
    EXPECT_EQ(value.find("letmein"), std::string::npos) << name;
  }
}

TEST_F(SplitTest, PinCookieKeepsClientOnNewWhenShareDropsButNotAfterKill) {
  start(flag_file(fractional(0, 100)), {{"pin_cookie", "ficus_pin"}});
  auto first = http_get(proxy_->port(), "/orders", {{"x-user-id", "bob"}});
  ASSERT_EQ(first.header("x-ficus-target"), "new");
  EXPECT_NE(first.header("set-cookie").find("ficus_pin=new"), std::string::npos);
  write_flags(flag_file(fractional(100, 0)));
  ASSERT_TRUE(proxy_->wait_for_log("flags loaded, generation 2"));
  EXPECT_EQ(target_for("bob"), "old");
  EXPECT_EQ(target_for("bob", {{"Cookie", "a=1; ficus_pin=new"}}), "new");
  write_flags(flag_file(fractional(100, 0), "DISABLED"));
  ASSERT_TRUE(proxy_->wait_for_log("flags loaded, generation 3"));
  EXPECT_EQ(target_for("bob", {{"Cookie", "ficus_pin=new"}}), "old");
}

TEST_F(SplitTest, MissingFlagFailsSafeToOld) {
  start({{"flags",
          {{"other-flag",
            {{"state", "ENABLED"}, {"variants", {{"on", true}}}, {"defaultVariant", "on"}}}}}});
  EXPECT_EQ(target_for("alice"), "old");
  ASSERT_TRUE(proxy_->wait_for_log("orders-cutover: flag not found"));
}

TEST_F(SplitTest, BooleanFlagTrueMeansNew) {
  start({{"flags",
          {{"orders-cutover",
            {{"state", "ENABLED"},
             {"variants", {{"on", true}, {"off", false}}},
             {"defaultVariant", "on"}}}}}});
  EXPECT_EQ(target_for("alice"), "new");
}

TEST_F(SplitTest, OfrepServedOnAdminListener) {
  start(flag_file(fractional(0, 100)));
  auto reply = http_request(proxy_->admin_port(), "POST", "/ofrep/v1/evaluate/flags/orders-cutover",
                            {{"Content-Type", "application/json"}},
                            R"({"context": {"targetingKey": "alice"}})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  auto body = nlohmann::json::parse(reply.body);
  EXPECT_EQ(body["value"], "new");
  EXPECT_EQ(body["variant"], "new");
  EXPECT_EQ(
      http_request(proxy_->admin_port(), "POST", "/ofrep/v1/evaluate/flags/nope", {}, "{}").status,
      404);
  auto bulk = http_request(proxy_->admin_port(), "POST", "/ofrep/v1/evaluate/flags", {},
                           R"({"context": {"targetingKey": "alice"}})");
  ASSERT_EQ(bulk.status, 200);
  auto etag = bulk.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(http_request(proxy_->admin_port(), "POST", "/ofrep/v1/evaluate/flags",
                         {{"If-None-Match", etag}}, R"({"context": {"targetingKey": "alice"}})")
                .status,
            304);
}

TEST_F(SplitTest, ReadyzWaitsForValidFlags) {
  flags_dir_ = make_temp_dir();
  std::ofstream(flags_dir_ / "flags.json") << "{ not json";
  auto config = base_config();
  config["flags"] = {{"sources", {"file:" + (flags_dir_ / "flags.json").string()}}};
  config["routes"][0]["flag"] = "orders-cutover";
  proxy_ = std::make_unique<ProxyProcess>(config, false);
  ASSERT_TRUE(proxy_->wait_for_log("ficus serving"));
  EXPECT_EQ(http_get(proxy_->admin_port(), "/readyz").status, 503);
  EXPECT_EQ(http_get(proxy_->port(), "/orders").header("x-ficus-target"), "old");
  write_flags(flag_file(fractional(0, 100)));
  EXPECT_TRUE(proxy_->wait_ready(10s));
}

}  // namespace
}  // namespace ficus::testing
