// The hostile HTTP/1.1 corpus: malformed and ambiguous requests from RFC 9112 and the public
// request-smuggling research, each with what the proxy must do with it. hostile_test.cpp sends
// every case through the real binary to a WireUpstream; tests/fuzz seeds its request-path fuzzer
// from the same bytes.
//
// A case's outcome is read in order: first every message in `forwarded` must reach the upstream
// (one well-framed request each, answered 200 to the client in order), then, when `rejected`, the
// client gets a 4xx and nothing more reaches the upstream.
#pragma once

#include <string>
#include <vector>

namespace ficus::testing {

struct ForwardedRequest {
  std::string target;  // request-target the upstream must see
  std::string body;    // decoded body the upstream must see
};

struct HostileCase {
  std::string name;  // the ctest name: letters, digits and '_'
  std::string why;   // the rule or the attack it comes from
  std::string bytes;
  std::vector<ForwardedRequest> forwarded;
  bool rejected = false;
};

// Every case, in a fixed order.
const std::vector<HostileCase>& hostile_cases();

}  // namespace ficus::testing
