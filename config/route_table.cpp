#include "config/route_table.h"

#include <algorithm>
#include <map>

#include <boost/url/grammar/ci_string.hpp>

namespace ficus::config {
namespace {

using boost::urls::grammar::ci_compare;
using boost::urls::grammar::ci_is_equal;

// "Api.Example.com:8080" -> "Api.Example.com", "[::1]:8080" -> "[::1]", "example.com." ->
// "example.com".
std::string_view host_without_port(std::string_view host) {
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    host = host.substr(0, close == std::string_view::npos ? host.size() : close + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.ends_with('.')) host.remove_suffix(1);
  return host;
}

std::string_view path_without_query(std::string_view path) {
  return path.substr(0, path.find_first_of("?#"));
}

// Segment-aware: "/orders" matches "/orders" and "/orders/1", not "/ordersx"; "/" matches all.
bool prefix_matches(std::string_view prefix, std::string_view path) {
  if (prefix == "/") return true;
  if (!path.starts_with(prefix)) return false;
  return path.size() == prefix.size() || prefix.ends_with('/') || path[prefix.size()] == '/';
}

bool longer_prefix_first(std::string_view a, std::string_view b) {
  return a.size() > b.size();
}

}  // namespace

std::shared_ptr<const RouteTable> RouteTable::build(std::shared_ptr<const ProxyConfig> config) {
  // make_shared cannot reach the private constructor.
  return std::shared_ptr<const RouteTable>(new RouteTable(std::move(config)));
}

RouteTable::RouteTable(std::shared_ptr<const ProxyConfig> config) : config_(std::move(config)) {
  std::map<std::string, std::vector<PrefixEntry>> exact;
  std::map<std::string, std::vector<PrefixEntry>> wildcard;
  for (const RouteConfig& route : config_->routes) {
    const PrefixEntry entry{route.match.path_prefix, &route};
    std::string host = route.match.host;
    std::transform(host.begin(), host.end(), host.begin(), boost::urls::grammar::to_lower);
    if (host.empty()) {
      any_host_.push_back(entry);
    } else if (host.starts_with("*.")) {
      wildcard[host.substr(1)].push_back(entry);  // keep the dot: ".example.com"
    } else {
      exact[host].push_back(entry);
    }
  }

  auto sort_routes = [](std::vector<PrefixEntry>& routes) {
    // Stable, so equal prefixes (rejected by validation) keep file order.
    std::stable_sort(routes.begin(), routes.end(), [](const PrefixEntry& a, const PrefixEntry& b) {
      return longer_prefix_first(a.prefix, b.prefix);
    });
  };
  sort_routes(any_host_);
  for (auto& [host, routes] : exact) {
    sort_routes(routes);
    exact_hosts_.push_back(HostGroup{host, std::move(routes)});
  }
  // Sorted by the very comparison match() searches with.
  std::sort(exact_hosts_.begin(), exact_hosts_.end(),
            [](const HostGroup& a, const HostGroup& b) { return ci_compare(a.host, b.host) < 0; });
  for (auto& [suffix, routes] : wildcard) {
    sort_routes(routes);
    wildcard_hosts_.push_back(HostGroup{suffix, std::move(routes)});
  }
  std::stable_sort(
      wildcard_hosts_.begin(), wildcard_hosts_.end(),
      [](const HostGroup& a, const HostGroup& b) { return longer_prefix_first(a.host, b.host); });
}

const RouteConfig* RouteTable::match_path(const std::vector<PrefixEntry>& routes,
                                          std::string_view path) {
  for (const PrefixEntry& entry : routes) {
    if (prefix_matches(entry.prefix, path)) return entry.route;
  }
  return nullptr;
}

const RouteConfig* RouteTable::match(std::string_view host, std::string_view path) const {
  host = host_without_port(host);
  path = path_without_query(path);

  auto exact = std::lower_bound(
      exact_hosts_.begin(), exact_hosts_.end(), host,
      [](const HostGroup& group, std::string_view h) { return ci_compare(group.host, h) < 0; });
  if (exact != exact_hosts_.end() && ci_is_equal(exact->host, host)) {
    if (const RouteConfig* route = match_path(exact->routes, path)) return route;
  }

  for (const HostGroup& group : wildcard_hosts_) {
    // The suffix includes its dot, so "*.example.com" needs at least one label before it.
    if (host.size() > group.host.size() &&
        ci_is_equal(group.host, host.substr(host.size() - group.host.size()))) {
      if (const RouteConfig* route = match_path(group.routes, path)) return route;
    }
  }

  return match_path(any_host_, path);
}

}  // namespace ficus::config
