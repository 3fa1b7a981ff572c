#include "proxy/request_attributes.h"

#include <gtest/gtest.h>

namespace ficus::proxy {
namespace {

TEST(FindCookie, FindsNamedCookieAmongOthersAndUnquotes) {
  EXPECT_EQ(find_cookie("a=1; uid=\"bob\"; b=2", "uid"), "bob");
  EXPECT_EQ(find_cookie("a=1;uid=bob", "uid"), "bob");
  EXPECT_EQ(find_cookie("xuid=bob", "uid"), std::nullopt);
  EXPECT_EQ(find_cookie("", "uid"), std::nullopt);
}

TEST(FindQueryParameter, FindsExactNameOnly) {
  EXPECT_EQ(find_query_parameter("/o?user=7&x=1", "user"), "7");
  EXPECT_EQ(find_query_parameter("/o?xuser=7", "user"), std::nullopt);
  EXPECT_EQ(find_query_parameter("/o?user", "user"), "");
  EXPECT_EQ(find_query_parameter("/o", "user"), std::nullopt);
}

config::IpNetwork network(std::string_view address, unsigned prefix_length) {
  return {net::ip::make_address(std::string(address)), prefix_length};
}

TEST(EffectiveClientIp, ForwardedForIsIgnoredUnlessThePeerIsTrusted) {
  EXPECT_EQ(effective_client_ip("10.0.0.5", "203.0.113.9", {}), "10.0.0.5");
  EXPECT_EQ(effective_client_ip("10.0.0.5", "203.0.113.9", {network("192.168.0.0", 16)}),
            "10.0.0.5");
  EXPECT_EQ(effective_client_ip("10.0.0.5", "203.0.113.9", {network("10.0.0.0", 8)}),
            "203.0.113.9");
}

TEST(EffectiveClientIp, TakesRightmostUntrustedHopSoClientsCannotSpoofIt) {
  // The client wrote "1.1.1.1" itself; our trusted proxy appended the real address.
  EXPECT_EQ(
      effective_client_ip("10.0.0.5", "1.1.1.1, 203.0.113.9, 10.0.0.7", {network("10.0.0.0", 8)}),
      "203.0.113.9");
}

TEST(EffectiveClientIp, MatchesSingleAddressesAndIpv6Ranges) {
  const std::vector<config::IpNetwork> trusted = {network("192.0.2.7", 32), network("fd00::", 8)};
  EXPECT_EQ(effective_client_ip("192.0.2.7", "203.0.113.9", trusted), "203.0.113.9");
  EXPECT_EQ(effective_client_ip("192.0.2.8", "203.0.113.9", trusted), "192.0.2.8");
  EXPECT_EQ(effective_client_ip("fd12::1", "203.0.113.9", trusted), "203.0.113.9");
  EXPECT_EQ(effective_client_ip("fe80::1", "203.0.113.9", trusted), "fe80::1");
  // An IPv4 peer seen on a dual-stack socket is still the IPv4 address.
  EXPECT_EQ(effective_client_ip("::ffff:192.0.2.7", "203.0.113.9", trusted), "203.0.113.9");
}

TEST(RequestAttributes, AnswersEveryDocumentedName) {
  http::request_header<> head;
  head.method(http::verb::post);
  head.target("/orders/export?user=42");
  head.set(http::field::host, "Shop.example.com:8080");
  head.set("X-Internal", "1");
  head.set(http::field::cookie, "tier=gold");
  RequestAttributes attributes(head, "/orders/export", "203.0.113.9");
  EXPECT_EQ(attributes.attribute("method"), "POST");
  EXPECT_EQ(attributes.attribute("path"), "/orders/export");
  EXPECT_EQ(attributes.attribute("host"), "Shop.example.com");
  EXPECT_EQ(attributes.attribute("client_ip"), "203.0.113.9");
  EXPECT_EQ(attributes.attribute("headers.x-internal"), "1");
  EXPECT_EQ(attributes.attribute("cookies.tier"), "gold");
  EXPECT_EQ(attributes.attribute("query.user"), "42");
  EXPECT_EQ(attributes.attribute("headers.absent"), std::nullopt);
  EXPECT_EQ(attributes.attribute("unknown"), std::nullopt);
}

}  // namespace
}  // namespace ficus::proxy
