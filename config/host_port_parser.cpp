#include "config/host_port_parser.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/throw_exception.hpp>
#include <boost/url/authority_view.hpp>
#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>

#include "config/name_rules.h"

namespace ficus::config {
namespace {

constexpr std::string_view kExpected =
    R"(expected "host:port" such as "127.0.0.1:8080" or "[::1]:8080")";

// "1.2.3.256" is a legal DNS name to the URL grammar, but nobody means it as one.
bool looks_like_ipv4(std::string_view name) {
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// Every failure is worded as the rest of a config error: "listen: <message>".
AddressError failure(std::string message) {
  return AddressError{std::move(message)};
}

}  // namespace

boost::system::result<HostPort, AddressError> parse_host_port(std::string_view text) {
  // Boost.URL's authority grammar knows IPv4, bracketed IPv6 and reg-names; what it accepts but a
  // socket address cannot be (userinfo, empty host, missing or oversized port) is checked below.
  auto authority = boost::urls::parse_authority(text);
  if (!authority) return failure(fmt::format("{}, got \"{}\"", kExpected, text));
  if (authority->has_userinfo()) {
    return failure(
        fmt::format("\"{}\" contains credentials (user@); an address is only \"host:port\"", text));
  }
  if (!authority->has_port() || authority->port().empty()) {
    return failure(fmt::format("\"{}\" has no port; {}", text, kExpected));
  }

  // port_number() silently wraps values above 65535, so parse the digits here.
  std::string_view port_text = authority->port();
  unsigned long port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
    return failure(fmt::format("port {} is out of range 1..65535 in \"{}\"", port_text, text));
  }

  HostPort result;
  result.port = static_cast<std::uint16_t>(port);
  switch (authority->host_type()) {
    case boost::urls::host_type::ipv4:
      result.host = authority->host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      result.host = authority->host_ipv6_address().to_string();
      break;
    case boost::urls::host_type::name: {
      std::string_view name = authority->encoded_host();
      if (name.empty()) return failure(fmt::format("\"{}\" has no host; {}", text, kExpected));
      if (!std::all_of(name.begin(), name.end(),
                       [](char c) { return c == '.' || is_host_label_char(c); })) {
        return failure(
            fmt::format("\"{}\" is not a valid host name (letters, digits, '-', '_', '.')", name));
      }
      if (looks_like_ipv4(name)) {
        return failure(fmt::format("\"{}\" is not a valid IPv4 address", name));
      }
      result.host = std::string(name);
      break;
    }
    default:
      return failure(fmt::format("{}, got \"{}\"", kExpected, text));
  }
  return result;
}

void throw_exception_from_error(const AddressError& error, const boost::source_location& location) {
  boost::throw_exception(std::invalid_argument(error.message), location);
}

bool is_loopback(const HostPort& address) {
  if (boost::urls::grammar::ci_is_equal(address.host, "localhost")) return true;
  if (auto v4 = boost::urls::parse_ipv4_address(address.host)) return v4->is_loopback();
  if (auto v6 = boost::urls::parse_ipv6_address(address.host)) return v6->is_loopback();
  return false;
}

}  // namespace ficus::config
