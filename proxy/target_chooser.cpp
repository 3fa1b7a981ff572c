#include "proxy/target_chooser.h"

namespace ficus::proxy {

TargetChoice TargetChooser::choose(const config::RouteConfig& route,
                                   const http::request_header<>& /*head*/,
                                   std::string_view /*client_ip*/) const {
  if (route.new_upstream.empty() || route.flag.empty()) return {Target::old_target, "no-flag"};
  // Flag-driven choice is added with the traffic split; until then flagged routes stay on old.
  return {Target::old_target, "fail-safe"};
}

}  // namespace ficus::proxy
