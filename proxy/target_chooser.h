// TargetChooser: decides old or new for one request on one route.
//
// A route without `new` or without `flag` always goes to old. Routes with a flag are decided by the
// flag store (traffic-split work); whatever cannot be decided goes to old (fail safe).
#pragma once

#include <string_view>

#include "config/proxy_config.h"
#include "proxy/asio.h"
#include "proxy/request_context.h"

namespace ficus::proxy {

struct TargetChoice {
  Target target = Target::old_target;
  std::string_view reason;  // "no-flag", "flag", "fail-safe", ...
};

class TargetChooser {
 public:
  TargetChoice choose(const config::RouteConfig& route, const http::request_header<>& head,
                      std::string_view client_ip) const;
};

}  // namespace ficus::proxy
