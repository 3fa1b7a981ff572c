// Routing and header rewriting through the real binary.
#include <fstream>

#include "tests/integration/proxy/proxy_fixture.h"

namespace ficus::testing {
namespace {

TEST_F(ProxyTest, RouteWithoutFlagGoesToOldAndSaysSo) {
  ProxyProcess proxy(base_config());
  auto reply = http_get(proxy.port(), "/orders/42");
  ASSERT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(reply.header("x-upstream-name"), "old");
  EXPECT_EQ(reply.header("x-ficus-route"), "orders");
  EXPECT_EQ(reply.header("x-ficus-target"), "old");
  EXPECT_EQ(new_upstream_->requests().size(), 0u);
}

TEST_F(ProxyTest, LongestPrefixWinsAndOtherPathsFallToDefault) {
  ProxyProcess proxy(base_config());
  EXPECT_EQ(http_get(proxy.port(), "/orders").header("x-ficus-route"), "orders");
  EXPECT_EQ(http_get(proxy.port(), "/orders/1?x=/y").header("x-ficus-route"), "orders");
  EXPECT_EQ(http_get(proxy.port(), "/ordersx").header("x-ficus-route"), "default");
  EXPECT_EQ(http_get(proxy.port(), "/").header("x-ficus-route"), "default");
}

TEST_F(ProxyTest, HostSpecificRouteBeatsHostlessRoute) {
  auto config = base_config();
  config["routes"].push_back({{"name", "api-host"},
                              {"match", {{"host", "*.example.com"}, {"path_prefix", "/"}}},
                              {"old", "modern"}});
  ProxyProcess proxy(config);
  auto by_host = http_get(proxy.port(), "/anything", {{"Host", "API.example.com:8080"}});
  EXPECT_EQ(by_host.header("x-ficus-route"), "api-host");
  EXPECT_EQ(by_host.header("x-upstream-name"), "new");
  EXPECT_EQ(http_get(proxy.port(), "/anything").header("x-ficus-route"), "default");
}

TEST_F(ProxyTest, DuplicateHostHeaderIsRejectedAndNotForwarded) {
  ProxyProcess proxy(base_config());
  auto raw = raw_exchange(proxy.port(),
                          "GET /x HTTP/1.1\r\nHost: a.example.com\r\nHost: b.example.com\r\n\r\n");
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 400")) << raw;
  EXPECT_EQ(old_upstream_->requests().size(), 0u);
}

TEST_F(ProxyTest, NoMatchingRouteIsJson404) {
  auto config = base_config();
  config["routes"] = {
      {{"name", "orders"}, {"match", {{"path_prefix", "/orders"}}}, {"old", "legacy"}}};
  ProxyProcess proxy(config);
  auto reply = http_get(proxy.port(), "/other");
  EXPECT_EQ(reply.status, 404);
  auto body = nlohmann::json::parse(reply.body);
  EXPECT_EQ(body["error"], "no route matches this request");
  EXPECT_TRUE(body["route"].is_null());
}

TEST_F(ProxyTest, HopByHopHeadersRemovedAndForwardingHeadersAdded) {
  ProxyProcess proxy(base_config());
  auto reply = http_request(proxy.port(), "GET", "/headers",
                            {{"Connection", "close, X-Secret-Hop"},
                             {"X-Secret-Hop", "1"},
                             {"Keep-Alive", "timeout=5"},
                             {"Proxy-Authorization", "Basic abc"},
                             {"TE", "trailers"},
                             {"X-Forwarded-For", "203.0.113.9"},
                             {"X-Kept", "yes"}});
  ASSERT_EQ(reply.status, 200) << reply.error;
  ASSERT_TRUE(old_upstream_->wait_for_requests(1, std::chrono::seconds(2)));
  auto seen = old_upstream_->requests().back();
  EXPECT_FALSE(seen.header("x-secret-hop"));
  EXPECT_FALSE(seen.header("keep-alive"));
  EXPECT_FALSE(seen.header("proxy-authorization"));
  EXPECT_FALSE(seen.header("te"));
  EXPECT_EQ(seen.header("x-kept"), "yes");
  EXPECT_EQ(seen.header("x-forwarded-for"), "203.0.113.9, 127.0.0.1");
  EXPECT_EQ(seen.header("x-forwarded-proto"), "http");
  EXPECT_EQ(seen.header("x-forwarded-host"), "localhost");
  EXPECT_EQ(seen.header("via"), "1.1 ficus");
  EXPECT_EQ(seen.header("host"), "localhost") << "Host is passed through unchanged";
  EXPECT_EQ(reply.header("via"), "1.1 ficus");
}

TEST_F(ProxyTest, FicusResponseHeadersCanBeTurnedOff) {
  auto config = base_config();
  config["ficus_headers"] = false;
  ProxyProcess proxy(config);
  auto reply = http_get(proxy.port(), "/orders");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("x-ficus-route"), "");
  EXPECT_EQ(reply.header("x-ficus-target"), "");
}

TEST_F(ProxyTest, AccessLogWritesOneJsonLinePerRequest) {
  auto config = base_config();
  auto log_dir = make_temp_dir();
  auto log_path = log_dir / "access.log";
  config["access_log"] = {{"path", log_path.string()}};
  ProxyProcess proxy(config);
  ASSERT_EQ(http_get(proxy.port(), "/orders/7").status, 200);
  ASSERT_EQ(http_get(proxy.port(), "/status?code=503").status, 503);
  proxy.signal(SIGTERM);
  ASSERT_EQ(proxy.wait_exit(), 0);
  std::ifstream in(log_path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["route"], "orders");
  EXPECT_EQ(lines[0]["target"], "old");
  EXPECT_EQ(lines[0]["status"], 200);
  EXPECT_EQ(lines[0]["path"], "/orders/7");
  EXPECT_GT(lines[0]["response_bytes"].get<int>(), 0);
  EXPECT_TRUE(lines[0].contains("duration_ms"));
  EXPECT_EQ(lines[1]["status"], 503);
  std::filesystem::remove_all(log_dir);
}

}  // namespace
}  // namespace ficus::testing
