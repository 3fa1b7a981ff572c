// Metrics and the old-vs-new comparison after a known traffic mix through the real binary.
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/proxy/proxy_fixture.h"

namespace ficus::testing {
namespace {

// The value of the sample `name{labels...}` whose labels include every `key="value"` given.
double sample(const std::string& scrape, const std::string& name,
              const std::vector<std::string>& labels) {
  std::istringstream lines(scrape);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(name + "{")) continue;
    bool all = true;
    for (const auto& label : labels) all = all && line.find(label) != std::string::npos;
    if (all) return std::stod(line.substr(line.rfind(' ') + 1));
  }
  return -1;
}

TEST_F(ProxyTest, MetricsCountAKnownMixExactlyAndCompareCallsNewWorse) {
  auto dir = make_temp_dir();
  std::ofstream(dir / "flags.json") << R"({"flags": {"site-cutover": {
      "state": "ENABLED", "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
      "targeting": {"if": [{"==": [{"var": "headers.x-side"}, "new"]}, "new", "old"]}}}})";
  auto config = base_config();
  config["flags"] = {{"sources", {"file:" + (dir / "flags.json").string()}}};
  config["routes"][1]["new"] = "modern";
  config["routes"][1]["flag"] = "site-cutover";
  ProxyProcess proxy(config);

  HttpConnection client(proxy.port());
  for (int i = 0; i < 30; ++i) ASSERT_EQ(client.request("GET", "/page").status, 200);
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(client.request("GET", "/status?code=500", {{"x-side", "new"}}).status, 500);
  }
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(client.request("GET", "/delay?ms=30", {{"x-side", "new"}}).status, 200);
  }
  ASSERT_EQ(client.request("POST", "/orders", {}, "x").status, 200);

  // A request is counted once its response is written, on its worker thread; the client can read
  // that response (and scrape, on the control thread) first. Wait until the last one is in.
  HttpReply scrape;
  for (int attempt = 0; attempt < 100; ++attempt) {
    scrape = http_get(proxy.admin_port(), "/metrics");
    ASSERT_EQ(scrape.status, 200);
    if (sample(scrape.body, "ficus_requests_total",
               {R"(route="orders")", R"(target="old")", R"(method="POST")"}) >= 1) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto& text = scrape.body;
  EXPECT_EQ(sample(text, "ficus_requests_total",
                   {R"(route="default")", R"(target="old")", R"(method="GET")", R"(code="200")"}),
            30);
  EXPECT_EQ(sample(text, "ficus_requests_total",
                   {R"(route="default")", R"(target="new")", R"(method="GET")", R"(code="500")"}),
            20);
  EXPECT_EQ(sample(text, "ficus_requests_total",
                   {R"(route="default")", R"(target="new")", R"(method="GET")", R"(code="200")"}),
            10);
  EXPECT_EQ(sample(text, "ficus_requests_total",
                   {R"(route="orders")", R"(target="old")", R"(method="POST")", R"(code="200")"}),
            1);
  EXPECT_EQ(sample(text, "ficus_request_duration_seconds_count",
                   {R"(route="default")", R"(target="new")"}),
            30);
  EXPECT_EQ(sample(text, "ficus_request_duration_seconds_count",
                   {R"(route="default")", R"(target="old")"}),
            30);
  // The 10 slow requests (>= 30 ms) are above the 25 ms bucket, the 20 fast errors below it.
  EXPECT_LE(sample(text, "ficus_request_duration_seconds_bucket",
                   {R"(route="default")", R"(target="new")", R"(le="0.025")"}),
            20);
  EXPECT_EQ(sample(text, "ficus_requests_in_flight", {R"(route="default")", R"(target="new")"}), 0);
  EXPECT_EQ(
      sample(text, "ficus_flag_evaluations_total", {R"(flag="site-cutover")", R"(variant="new")"}),
      30);
  EXPECT_GE(sample(text, "ficus_flags_generation", {}), -1);

  auto compare = http_get(proxy.admin_port(), "/admin/compare?route=default&window=60&min=10");
  ASSERT_EQ(compare.status, 200) << compare.body;
  EXPECT_EQ(nlohmann::json::parse(compare.body)["verdict"], "new-worse") << compare.body;
  auto thin = http_get(proxy.admin_port(), "/admin/compare?route=default&window=60&min=1000");
  EXPECT_EQ(nlohmann::json::parse(thin.body)["verdict"], "insufficient-data") << thin.body;
  EXPECT_EQ(http_get(proxy.admin_port(), "/admin/compare?route=nope").status, 400);
  std::filesystem::remove_all(dir);
}

TEST_F(ProxyTest, MetricsDisabledRecordsNoRequestsButKeepsControlGauges) {
  auto config = base_config();
  config["metrics"] = {{"enabled", false}};
  ProxyProcess proxy(config);

  HttpConnection client(proxy.port());
  for (int i = 0; i < 5; ++i) ASSERT_EQ(client.request("GET", "/page").status, 200);

  auto scrape = http_get(proxy.admin_port(), "/metrics");
  ASSERT_EQ(scrape.status, 200);
  EXPECT_EQ(sample(scrape.body, "ficus_requests_total", {R"(route="default")"}), -1) << scrape.body;
  EXPECT_EQ(sample(scrape.body, "ficus_config_reloads_total", {R"(result="success")"}), 1)
      << scrape.body;
  auto compare = http_get(proxy.admin_port(), "/admin/compare?route=default");
  EXPECT_EQ(compare.status, 503);
  const auto error = nlohmann::json::parse(compare.body)["error"].get<std::string>();
  EXPECT_NE(error.find(R"("metrics": {"enabled": false})"), std::string::npos) << error;
  auto effective = http_get(proxy.admin_port(), "/admin/config");
  EXPECT_EQ(nlohmann::json::parse(effective.body)["metrics"]["enabled"], false) << effective.body;
}

}  // namespace
}  // namespace ficus::testing
