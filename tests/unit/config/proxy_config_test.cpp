#include "config/proxy_config.h"

#include <gtest/gtest.h>

namespace ficus::config {
namespace {

TEST(HostPort, ToStringBracketsIpv6Only) {
  EXPECT_EQ((HostPort{"127.0.0.1", 8080}).to_string(), "127.0.0.1:8080");
  EXPECT_EQ((HostPort{"localhost", 1}).to_string(), "localhost:1");
  EXPECT_EQ((HostPort{"::1", 8080}).to_string(), "[::1]:8080");
}

TEST(ProxyConfig, FindsUpstreamsAndRoutesByName) {
  ProxyConfig config;
  config.upstreams.resize(2);
  config.upstreams[0].name = "orders-v2";  // deliberately not sorted
  config.upstreams[1].name = "legacy";
  config.routes.resize(2);
  config.routes[0].name = "orders";
  config.routes[1].name = "default";

  EXPECT_EQ(config.find_upstream("legacy"), &config.upstreams[1]);
  EXPECT_EQ(config.find_upstream("orders-v2"), &config.upstreams[0]);
  EXPECT_EQ(config.find_upstream("nope"), nullptr);
  EXPECT_EQ(config.find_route("default"), &config.routes[1]);
  EXPECT_EQ(config.find_route("nope"), nullptr);
}

}  // namespace
}  // namespace ficus::config
