// RequestContext: what one request learned on its way through the proxy.
//
// DownstreamSession fills it step by step (route, target, upstream, status, bytes, where it failed)
// and hands it to finish(), the only place that writes the access log and metrics.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace ficus::proxy {

enum class Target { none, old_target, new_target };

inline std::string_view to_string(Target t) {
  switch (t) {
    case Target::old_target:
      return "old";
    case Target::new_target:
      return "new";
    case Target::none:
      break;
  }
  return "none";
}

// Where a failed request stopped; also the `kind` of an upstream error in metrics.
enum class FailureKind { none, connect, timeout, reset, protocol, client, no_endpoint, no_route };

inline std::string_view to_string(FailureKind k) {
  switch (k) {
    case FailureKind::none:
      return "none";
    case FailureKind::connect:
      return "connect";
    case FailureKind::timeout:
      return "timeout";
    case FailureKind::reset:
      return "reset";
    case FailureKind::protocol:
      return "protocol";
    case FailureKind::client:
      return "client";
    case FailureKind::no_endpoint:
      return "no_endpoint";
    case FailureKind::no_route:
      return "no_route";
  }
  return "none";
}

struct RequestContext {
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string method;
  std::string path;  // without the query string
  std::string client_ip;
  std::string route;  // route name, empty when none matched
  Target target = Target::none;
  std::string upstream;  // upstream name
  std::string endpoint;  // "host:port" that served it
  unsigned status = 0;   // status sent to the client; 0 if none could be sent
  std::uint64_t request_bytes = 0;
  std::uint64_t response_bytes = 0;
  FailureKind failure = FailureKind::none;
  std::string error;  // human-readable failure, empty on success
  bool retried = false;
  bool in_flight_counted = false;  // ficus_requests_in_flight was raised for this request
  bool finished = false;           // finish() ran: logged and counted exactly once
};

}  // namespace ficus::proxy
