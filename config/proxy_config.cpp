#include "config/proxy_config.h"

#include <algorithm>

#include <fmt/format.h>

namespace ficus::config {

std::string HostPort::to_string() const {
  // Only IPv6 literals contain ':' and they need brackets to keep the port readable.
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

bool IpNetwork::contains(const boost::asio::ip::address& ip) const {
  auto address = ip;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  if (address.is_v4() != network.is_v4()) return false;
  if (address.is_v4()) {
    const std::uint32_t mask = prefix_length == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix_length);
    return (address.to_v4().to_uint() & mask) == network.to_v4().to_uint();
  }
  const auto have = address.to_v6().to_bytes();
  const auto want = network.to_v6().to_bytes();
  unsigned bits = prefix_length;
  for (std::size_t i = 0; i < have.size() && bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<std::uint8_t>(0xFF << (8 - take));
    if ((have[i] & mask) != (want[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

// Linear scans: a config has a handful of upstreams and routes, and a scan stays correct for a
// ProxyConfig assembled by hand (tests) whose vectors are not sorted.
const UpstreamConfig* ProxyConfig::find_upstream(const std::string& name) const {
  auto it = std::find_if(upstreams.begin(), upstreams.end(),
                         [&](const UpstreamConfig& upstream) { return upstream.name == name; });
  return it == upstreams.end() ? nullptr : &*it;
}

const RouteConfig* ProxyConfig::find_route(const std::string& name) const {
  auto it = std::find_if(routes.begin(), routes.end(),
                         [&](const RouteConfig& route) { return route.name == name; });
  return it == routes.end() ? nullptr : &*it;
}

}  // namespace ficus::config
