// Parsing and printing "IP:PORT" addresses ("127.0.0.1:9001", "[::1]:0", "localhost:8080") for the
// upstream and the bench tools. Only literal IPs and "localhost" are accepted: no DNS lookups.
//
//   auto endpoint = parse_listen_address("127.0.0.1:0");
//   if (!endpoint) fail(endpoint.error().message());
//   std::string printed = format_address(acceptor.local_endpoint());   // "127.0.0.1:40123"
#pragma once

#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/result.hpp>

namespace ficus::testing {

boost::system::result<boost::asio::ip::tcp::endpoint> parse_listen_address(std::string_view text);

std::string format_address(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace ficus::testing
