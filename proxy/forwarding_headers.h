// Header rewriting between the client and the upstream (RFC 9110 §7.6).
//
// Hop-by-hop fields (and every field named in Connection) belong to one connection and are dropped
// in both directions; the proxy then adds what the next hop should know: X-Forwarded-*, Via, and on
// responses X-Ficus-Route / X-Ficus-Target. Framing (Content-Length / Transfer-Encoding: chunked)
// is kept as parsed, after the request was checked for ambiguity by check_request_framing().
#pragma once

#include <string>
#include <string_view>

#include "proxy/asio.h"

namespace ficus::proxy {

// Why a request head must not be forwarded, or empty when its framing is unambiguous.
// Beast already rejects Content-Length together with Transfer-Encoding and conflicting lengths;
// this adds the cases Beast accepts but an upstream might read differently (request smuggling).
std::string check_request_framing(const http::request_header<>& head);

struct ForwardInfo {
  std::string_view client_ip;
  std::string_view original_host;  // the request's Host, for X-Forwarded-Host
};

// Rewrites a client request head into the one sent upstream (always HTTP/1.1, keep-alive).
void prepare_upstream_request(http::request<http::buffer_body>& head, const ForwardInfo& info);

struct ResponseInfo {
  std::string_view route;
  std::string_view target;  // "old" | "new"
  bool ficus_headers = true;
  bool keep_alive = true;  // whether the client connection stays open after this response
  unsigned client_version = 11;
};

// Rewrites an upstream response head into the one sent to the client.
void prepare_client_response(http::response<http::buffer_body>& head, const ResponseInfo& info);

}  // namespace ficus::proxy
