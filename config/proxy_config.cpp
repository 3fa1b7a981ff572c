#include "config/proxy_config.h"

#include <algorithm>

#include <fmt/format.h>

namespace ficus::config {

std::string HostPort::to_string() const {
  // Only IPv6 literals contain ':' and they need brackets to keep the port readable.
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
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
