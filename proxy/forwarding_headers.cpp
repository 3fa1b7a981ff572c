#include "proxy/forwarding_headers.h"

#include <array>
#include <vector>

namespace ficus::proxy {
namespace {

constexpr std::string_view kVia = "1.1 ficus";

// Fields that describe one connection, not the message (RFC 9110 §7.6.1). Transfer-Encoding is
// not in this list: the proxy keeps chunked framing as the parser validated it.
constexpr std::array<http::field, 6> kHopByHop = {
    http::field::connection, http::field::keep_alive, http::field::proxy_connection,
    http::field::te,         http::field::trailer,    http::field::upgrade,
};

void remove_hop_by_hop(http::fields& fields) {
  // Names listed in Connection are hop-by-hop too; collect them before Connection goes.
  std::vector<std::string> listed;
  auto [first, last] = fields.equal_range(http::field::connection);
  for (auto it = first; it != last; ++it) {
    for (auto token : http::token_list(it->value())) listed.emplace_back(token);
  }
  for (const auto& name : listed) fields.erase(name);
  for (auto field : kHopByHop) fields.erase(field);
  fields.erase("proxy-authorization");
}

void append_field(http::fields& fields, std::string_view name, std::string_view value) {
  auto existing = fields[name];
  if (existing.empty()) {
    fields.set(name, value);
    return;
  }
  std::string combined(existing);
  combined += ", ";
  combined += value;
  fields.set(name, combined);
}

}  // namespace

std::string check_request_framing(const http::request_header<>& head) {
  auto te = head.find(http::field::transfer_encoding);
  if (te != head.end()) {
    if (head.version() < 11) return "Transfer-Encoding is not allowed in HTTP/1.0 requests";
    // Only a single plain "chunked" is accepted: codings such as "gzip, chunked", "chunked, x" or
    // obfuscated spellings are read differently by different servers.
    if (!beast::iequals(te->value(), "chunked")) {
      return "unsupported Transfer-Encoding (only \"chunked\" is accepted)";
    }
  }
  if (head.count(http::field::host) > 1) return "more than one Host header";
  if (head.version() >= 11 && head.count(http::field::host) == 0) {
    return "missing Host header (required in HTTP/1.1)";
  }
  return {};
}

void prepare_upstream_request(http::request<http::buffer_body>& head, const ForwardInfo& info) {
  remove_hop_by_hop(head);
  // Ficus answers 100-continue itself once the upstream is connected; the upstream sees a plain
  // body.
  head.erase(http::field::expect);
  // Duplicate identical Content-Length values were merged by the parser; send exactly one.
  auto length = head.find(http::field::content_length);
  if (length != head.end()) {
    std::string value(length->value());
    if (auto comma = value.find(','); comma != std::string::npos) value.resize(comma);
    head.erase(http::field::content_length);
    head.set(http::field::content_length, value);
  }
  append_field(head, "X-Forwarded-For", info.client_ip);
  head.set("X-Forwarded-Proto", "http");
  if (!info.original_host.empty()) head.set("X-Forwarded-Host", info.original_host);
  append_field(head, "Via", kVia);
  head.version(11);
  head.keep_alive(true);
}

void prepare_client_response(http::response<http::buffer_body>& head, const ResponseInfo& info) {
  remove_hop_by_hop(head);
  append_field(head, "Via", kVia);
  if (info.ficus_headers) {
    head.set("X-Ficus-Route", info.route);
    head.set("X-Ficus-Target", info.target);
  }
  head.version(info.client_version);
  head.keep_alive(info.keep_alive);
}

}  // namespace ficus::proxy
