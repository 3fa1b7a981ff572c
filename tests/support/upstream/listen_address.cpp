#include "tests/support/upstream/listen_address.h"

#include <charconv>

#include <boost/system/errc.hpp>

namespace ficus::testing {

namespace ip = boost::asio::ip;

boost::system::result<ip::tcp::endpoint> parse_listen_address(std::string_view text) {
  const auto invalid = boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return invalid;
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost") host = "127.0.0.1";

  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    return invalid;
  }
  boost::system::error_code address_error;
  const ip::address address = ip::make_address(std::string(host), address_error);
  if (address_error) return address_error;
  return ip::tcp::endpoint(address, static_cast<unsigned short>(port));
}

std::string format_address(const ip::tcp::endpoint& endpoint) {
  const ip::address address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace ficus::testing
