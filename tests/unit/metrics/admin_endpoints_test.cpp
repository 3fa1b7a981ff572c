#include "proxy/metrics/admin_endpoints.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/unit/metrics/window_test_support.h"

namespace ficus::proxy::metrics {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::kNow;
using testing::record_many;

class CompareEndpoint : public ::testing::Test {
 protected:
  CompareEndpoint() {
    window_.set_routes({"orders", "default"});
    // Old: 200 fast requests, no errors. New: 150 slow requests, 30 of them 500s.
    record_many(window_, 0, "orders", Target::old_target, 200, 0, milliseconds(10),
                kNow - seconds(30));
    record_many(window_, 1, "orders", Target::new_target, 150, 30, milliseconds(600),
                kNow - seconds(30));
  }
  nlohmann::json get_json(std::string_view target, unsigned expected_status = 200) {
    const AdminText reply = compare_endpoint(window_, target, VerdictRule{}, kNow);
    EXPECT_EQ(reply.status, expected_status) << reply.body;
    EXPECT_EQ(reply.content_type, "application/json");
    return nlohmann::json::parse(reply.body);
  }
  ComparisonWindow window_{2};
};

TEST_F(CompareEndpoint, OneRouteWithTheDefaultWindowIsNewWorse) {
  const nlohmann::json j = get_json("/admin/compare?route=orders");
  EXPECT_EQ(j.at("window_s"), 300);
  EXPECT_EQ(j.at("old").at("requests"), 200);
  EXPECT_EQ(j.at("new").at("requests"), 150);
  EXPECT_EQ(j.at("new").at("errors"), 30);
  EXPECT_EQ(j.at("verdict"), "new-worse");
}

TEST_F(CompareEndpoint, MinAboveTheTrafficIsInsufficientData) {
  EXPECT_EQ(get_json("/admin/compare?route=orders&min=151").at("verdict"), "insufficient-data");
  EXPECT_EQ(get_json("/admin/compare?route=orders&min=150").at("verdict"), "new-worse");
}

TEST_F(CompareEndpoint, WindowShorterThanTheTrafficAgeSeesNothing) {
  const nlohmann::json j = get_json("/admin/compare?route=orders&window=20");
  EXPECT_EQ(j.at("window_s"), 20);
  EXPECT_EQ(j.at("old").at("requests"), 0);
  EXPECT_EQ(get_json("/admin/compare?route=orders&window=1m").at("window_s"), 60);
}

TEST_F(CompareEndpoint, WithoutRouteEveryConfiguredRouteIsListed) {
  const nlohmann::json j = get_json("/admin/compare?window=120");
  ASSERT_EQ(j.at("routes").size(), 2u);
  EXPECT_EQ(j.at("routes")[0].at("route"), "orders");
  EXPECT_EQ(j.at("routes")[0].at("verdict"), "new-worse");
  EXPECT_EQ(j.at("routes")[1].at("route"), "default");
  EXPECT_EQ(j.at("routes")[1].at("verdict"), "insufficient-data");
}

TEST_F(CompareEndpoint, BadParametersAre400WithAMessageNamingThem) {
  auto error = [&](std::string_view target) {
    return get_json(target, 400).at("error").get<std::string>();
  };
  EXPECT_EQ(error("/admin/compare?route=nope"),
            "route: unknown route \"nope\" (known: orders, default)");
  EXPECT_NE(error("/admin/compare?route=orders&window=0").find("window:"), std::string::npos);
  EXPECT_NE(error("/admin/compare?route=orders&window=901").find("between 1 and 900"),
            std::string::npos);
  EXPECT_NE(error("/admin/compare?route=orders&window=abc").find("window:"), std::string::npos);
  EXPECT_NE(error("/admin/compare?route=orders&min=-1").find("min:"), std::string::npos);
  EXPECT_NE(error("/admin/compare?rout=orders").find("unknown parameter \"rout\""),
            std::string::npos);
}

TEST(MetricsEndpoint, ServesTheScrapeAsPrometheusText) {
  ProxyMetrics metrics(1, "test");
  const AdminText reply = metrics_endpoint(metrics);
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(reply.body.find("# TYPE ficus_requests_total counter"), std::string::npos);
}

}  // namespace
}  // namespace ficus::proxy::metrics
