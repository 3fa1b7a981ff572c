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

// The path used for routing: origin-form up to '?', or the path of an absolute-form target
// ("http://host/a?b" -> "/a"). Anything else (asterisk-form, authority-form) comes back as is.
std::string_view routing_path(std::string_view target);

// Whether the bytes buffered at the start of a request hold a head line that ends in a bare LF.
bool has_bare_line_feed(std::string_view buffered);

// Why a request head must not be forwarded, or empty when its framing is unambiguous.
// Beast already rejects Content-Length together with Transfer-Encoding and conflicting lengths;
// this adds the cases Beast accepts but an upstream might read differently (request smuggling).
std::string check_request_framing(const http::request_header<>& head);

struct ForwardInfo {
  std::string_view client_ip;
  std::string_view original_host;  // the request's Host, for X-Forwarded-Host
  // The route's override header (lower-cased; empty when it has none): it is addressed to Ficus
  // and may carry the override secret, so the upstream never sees it.
  std::string_view override_header;
};

// Appends to `out` the head sent upstream for `head` (always HTTP/1.1, keep-alive): hop-by-hop
// fields, Expect and the override header dropped, one Content-Length, absolute-form target as
// origin-form, X-Forwarded-For/-Proto/-Host and Via added. Written straight into text: the head is
// never copied into a second Beast message, and `out` keeps its capacity from one request to the
// next.
void write_upstream_request_head(const http::request_header<>& head, const ForwardInfo& info,
                                 std::string& out);

struct ResponseInfo {
  std::string_view route;
  std::string_view target;  // "old" | "new"
  bool ficus_headers = true;
  bool keep_alive = true;  // whether the client connection stays open after this response
  unsigned client_version = 11;
  // How the body's framing changes on the way (write_client_response_head only).
  enum class Framing {
    as_is,         // Content-Length or chunked, as the upstream sent it
    add_chunked,   // close-delimited body to an HTTP/1.1 client: goes out chunked
    drop_chunked,  // chunked body to an HTTP/1.0 client: goes out close-delimited
  } framing = Framing::as_is;
  std::string_view pin_cookie;  // non-empty: add "Set-Cookie: <pin_cookie>=new; ..." (the pin)
};

// Appends to `out` the response head sent to the client for the upstream's `head` (see
// write_upstream_request_head for why it is text).
void write_client_response_head(const http::response_header<>& head, const ResponseInfo& info,
                                std::string& out);

}  // namespace ficus::proxy
