#include "config/host_port_parser.h"

#include <stdexcept>

#include <gtest/gtest.h>

namespace ficus::config {
namespace {

TEST(ParseHostPort, AcceptsIpv4NameAndBracketedIpv6) {
  EXPECT_EQ(parse_host_port("127.0.0.1:8080").value(), (HostPort{"127.0.0.1", 8080}));
  EXPECT_EQ(parse_host_port("localhost:9001").value(), (HostPort{"localhost", 9001}));
  EXPECT_EQ(parse_host_port("[::1]:8080").value(), (HostPort{"::1", 8080}));
  EXPECT_EQ(parse_host_port("[2001:DB8::1]:443").value(), (HostPort{"2001:db8::1", 443}));
  EXPECT_EQ(parse_host_port("h:65535").value(), (HostPort{"h", 65535}));
  EXPECT_EQ(parse_host_port("orders_v2.internal:80").value(), (HostPort{"orders_v2.internal", 80}));
}

TEST(ParseHostPort, RejectsMissingOrOutOfRangePort) {
  EXPECT_EQ(
      parse_host_port("localhost").error().message,
      R"("localhost" has no port; expected "host:port" such as "127.0.0.1:8080" or "[::1]:8080")");
  EXPECT_EQ(
      parse_host_port("localhost:").error().message,
      R"("localhost:" has no port; expected "host:port" such as "127.0.0.1:8080" or "[::1]:8080")");
  EXPECT_EQ(parse_host_port("h:99999").error().message,
            R"(port 99999 is out of range 1..65535 in "h:99999")");
  EXPECT_EQ(parse_host_port("h:0").error().message, R"(port 0 is out of range 1..65535 in "h:0")");
}

TEST(ParseHostPort, RejectsEmptyHostCredentialsAndBadNames) {
  EXPECT_EQ(parse_host_port(":80").error().message,
            R"(":80" has no host; expected "host:port" such as "127.0.0.1:8080" or "[::1]:8080")");
  EXPECT_EQ(parse_host_port("u@h:1").error().message,
            R"("u@h:1" contains credentials (user@); an address is only "host:port")");
  EXPECT_EQ(parse_host_port("a%20b:1").error().message,
            R"("a%20b" is not a valid host name (letters, digits, '-', '_', '.'))");
  EXPECT_EQ(parse_host_port("1.2.3.256:5").error().message,
            R"("1.2.3.256" is not a valid IPv4 address)");
  EXPECT_EQ(parse_host_port("[v1.x]:1").error().message,
            R"(expected "host:port" such as "127.0.0.1:8080" or "[::1]:8080", got "[v1.x]:1")");
  EXPECT_FALSE(parse_host_port("h:80/path").has_value());
}

TEST(ParseHostPort, ValueOfAFailedParseThrowsTheMessage) {
  try {
    (void)parse_host_port("h:0").value();
    FAIL() << "value() did not throw";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), R"(port 0 is out of range 1..65535 in "h:0")");
  }
}

TEST(IsLoopback, OnlyAddressesOtherMachinesCannotReach) {
  EXPECT_TRUE(is_loopback({"127.0.0.1", 1}));
  EXPECT_TRUE(is_loopback({"127.255.0.9", 1}));
  EXPECT_TRUE(is_loopback({"::1", 1}));
  EXPECT_TRUE(is_loopback({"LocalHost", 1}));
  EXPECT_FALSE(is_loopback({"0.0.0.0", 1}));
  EXPECT_FALSE(is_loopback({"::", 1}));
  EXPECT_FALSE(is_loopback({"10.0.0.1", 1}));
  EXPECT_FALSE(is_loopback({"localhost.example.com", 1}));
}

}  // namespace
}  // namespace ficus::config
