#include "proxy/forwarding_headers.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>
#include <optional>
#include <vector>

#include <boost/container/small_vector.hpp>

#include <fmt/format.h>
#include <boost/url/parse.hpp>

namespace ficus::proxy {
namespace {

constexpr std::string_view kVia = "1.1 ficus";

}  // namespace

namespace {

// The part after "http://" or "https://" (case-insensitive), or nullopt for other target forms.
std::optional<std::string_view> after_http_scheme(std::string_view target) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() > scheme.size() && beast::iequals(target.substr(0, scheme.size()), scheme)) {
      return target.substr(scheme.size());
    }
  }
  return std::nullopt;
}

// "host:8080/a?b" (an absolute-form target after its scheme) -> "host:8080".
std::string_view authority_of(std::string_view rest) {
  return rest.substr(0, std::min(rest.find_first_of("/?#"), rest.size()));
}

// "host:8080/a?b" -> "/a?b"; "host?b" -> "?b" (the caller adds the "/").
std::string_view path_and_query_of(std::string_view rest) {
  return rest.substr(authority_of(rest).size());
}

}  // namespace

std::string_view routing_path(std::string_view target) {
  if (auto rest = after_http_scheme(target)) {
    auto path = path_and_query_of(*rest);
    target = path.starts_with('/') ? path : std::string_view("/");
  }
  return target.substr(0, target.find('?'));
}

bool has_bare_line_feed(std::string_view buffered) {
  // Beast finds the end of a head by CRLF CRLF only, so a head whose lines end in bare LF would be
  // waited on until the header timeout. A bare LF before the first CRLF CRLF (or anywhere, when
  // there is none yet) is part of the head, and RFC 9112 §2.2 lets a server reject it.
  buffered = buffered.substr(0, std::min(buffered.find("\r\n\r\n"), buffered.size()));
  for (auto lf = buffered.find('\n'); lf != std::string_view::npos;
       lf = buffered.find('\n', lf + 1)) {
    if (lf == 0 || buffered[lf - 1] != '\r') return true;
  }
  return false;
}

namespace {

// "name" or "name:port" with only letters, digits, '.' and '-' in the name: what nearly every Host
// header is, and a valid authority without a userinfo part. Anything else (IP literals, '_',
// percent-encoding, '@') is left to Boost.URL's full parse, which costs more than the rest of the
// framing checks together.
bool is_plain_host(std::string_view host) {
  std::size_t i = 0;
  for (; i < host.size() && host[i] != ':'; ++i) {
    char c = host[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-';
    if (!ok) return false;
  }
  if (i == 0) return false;
  for (std::size_t j = i + 1; j < host.size(); ++j) {
    if (host[j] < '0' || host[j] > '9') return false;
  }
  return true;
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
  // Names some servers read as framing fields by folding '_' to '-'.
  for (const auto& field : head) {
    if (field.name() == http::field::unknown &&
        (beast::iequals(field.name_string(), "transfer_encoding") ||
         beast::iequals(field.name_string(), "content_length"))) {
      return fmt::format("header \"{}\" looks like a framing field; use '-', not '_'",
                         std::string_view(field.name_string()));
    }
  }
  if (head.version() >= 20) return "HTTP/2 and later are not spoken on an HTTP/1.1 connection";
  auto [first_host, hosts_end] = head.equal_range(http::field::host);
  // HTTP/1.0 allowed leaving Host out, but the request goes up as HTTP/1.1, which requires it.
  if (first_host == hosts_end) return "missing Host header (required in HTTP/1.1)";
  if (std::next(first_host) != hosts_end) return "more than one Host header";
  // RFC 9112 §3.2: an invalid Host value is a 400; a userinfo part is not a host.
  std::string_view host = first_host->value();
  if (!host.empty() && !is_plain_host(host)) {
    auto authority = boost::urls::parse_authority(host);
    if (!authority || authority->has_userinfo()) return "invalid Host header";
  }
  // An absolute-form target names its own host, which the upstream believes over Host (RFC 9112
  // §3.2.2); routing used Host, so the two must agree.
  if (auto rest = after_http_scheme(head.target())) {
    if (!beast::iequals(authority_of(*rest), host)) {
      return "the request target's host differs from the Host header";
    }
  }
  return {};
}

namespace {

// Hop-by-hop fields (RFC 9110 §7.6.1): the fixed list plus every name listed in Connection,
// except framing and Host. Transfer-Encoding is not in the list: chunked framing is kept as the
// parser validated it.
class HopByHop {
 public:
  explicit HopByHop(const http::fields& fields) {
    auto [first, last] = fields.equal_range(http::field::connection);
    for (auto it = first; it != last; ++it) {
      for (auto token : http::token_list(it->value())) {
        std::string_view name(token);
        // A message's framing and its Host are end-to-end whatever Connection says: dropping
        // Content-Length or Transfer-Encoding would send the body up unframed, so the next hop
        // would read it as a request of its own (request smuggling).
        if (beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
            beast::iequals(name, "host")) {
          continue;
        }
        listed_.push_back(name);
      }
    }
  }

  bool drops(const http::fields::value_type& field) const {
    switch (field.name()) {
      case http::field::connection:
      case http::field::keep_alive:
      case http::field::proxy_connection:
      case http::field::te:
      case http::field::trailer:
      case http::field::upgrade:
      case http::field::proxy_authorization:
        return true;
      default:
        break;
    }
    for (auto name : listed_) {
      if (beast::iequals(field.name_string(), name)) return true;
    }
    return false;
  }

 private:
  // Views into the Connection values of the head being written.
  boost::container::small_vector<std::string_view, 4> listed_;
};

void append_line(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

// "Via: <upstream's Via>, 1.1 ficus" or "Via: 1.1 ficus"; the same for X-Forwarded-For.
void append_list_line(std::string& out, std::string_view name,
                      std::optional<std::string_view> existing, std::string_view value) {
  out.append(name);
  out.append(": ");
  if (existing && !existing->empty()) {
    out.append(*existing);
    out.append(", ");
  }
  out.append(value);
  out.append("\r\n");
}

}  // namespace

void write_upstream_request_head(const http::request_header<>& head, const ForwardInfo& info,
                                 std::string& out) {
  const HopByHop hop_by_hop(head);
  out.append(head.method_string());
  out.push_back(' ');
  // Absolute-form goes up as origin-form: check_request_framing made sure Host names the same host.
  if (auto rest = after_http_scheme(head.target())) {
    auto path = path_and_query_of(*rest);
    if (!path.starts_with('/')) out.push_back('/');
    out.append(path);
  } else {
    out.append(head.target());
  }
  out.append(" HTTP/1.1\r\n");
  std::optional<std::string_view> forwarded_for;
  std::optional<std::string_view> via;
  bool wrote_length = false;
  for (const auto& field : head) {
    if (hop_by_hop.drops(field)) continue;
    const std::string_view name = field.name_string();
    switch (field.name()) {
      case http::field::expect:  // Ficus answers 100-continue itself; the upstream sees a body
        continue;
      case http::field::content_length:
        // Duplicate identical values were merged by the parser; send exactly one.
        if (!wrote_length) {
          std::string_view value = field.value();
          append_line(out, name, value.substr(0, value.find(',')));
          wrote_length = true;
        }
        continue;
      case http::field::via:
        if (!via) via = field.value();
        continue;
      default:
        break;
    }
    if (beast::iequals(name, "X-Forwarded-For")) {
      if (!forwarded_for) forwarded_for = field.value();
      continue;
    }
    if (beast::iequals(name, "X-Forwarded-Proto")) continue;
    if (!info.override_header.empty() && beast::iequals(name, info.override_header)) continue;
    if (!info.original_host.empty() && beast::iequals(name, "X-Forwarded-Host")) continue;
    append_line(out, name, field.value());
  }
  append_list_line(out, "X-Forwarded-For", forwarded_for, info.client_ip);
  append_line(out, "X-Forwarded-Proto", "http");
  if (!info.original_host.empty()) append_line(out, "X-Forwarded-Host", info.original_host);
  append_list_line(out, "Via", via, kVia);
  out.append("\r\n");
}

void write_client_response_head(const http::response_header<>& head, const ResponseInfo& info,
                                std::string& out) {
  using Framing = ResponseInfo::Framing;
  const HopByHop hop_by_hop(head);
  out.append(info.client_version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ");
  char code[8];
  auto [end, ignored] = std::to_chars(code, code + sizeof code, head.result_int());
  out.append(code, end);
  out.push_back(' ');
  std::string_view reason = head.reason();
  out.append(reason.empty() ? std::string_view(http::obsolete_reason(head.result())) : reason);
  out.append("\r\n");
  std::optional<std::string_view> via;
  std::string codings;  // Transfer-Encoding codings other than chunked, when framing changes
  for (const auto& field : head) {
    if (hop_by_hop.drops(field)) continue;
    const std::string_view name = field.name_string();
    if (field.name() == http::field::via) {
      if (!via) via = field.value();
      continue;
    }
    if (field.name() == http::field::transfer_encoding && info.framing != Framing::as_is) {
      for (auto coding : http::token_list(field.value())) {
        if (beast::iequals(coding, "chunked")) continue;
        if (!codings.empty()) codings.append(", ");
        codings.append(coding);
      }
      continue;
    }
    if (info.ficus_headers &&
        (beast::iequals(name, "X-Ficus-Route") || beast::iequals(name, "X-Ficus-Target"))) {
      continue;
    }
    append_line(out, name, field.value());
  }
  append_list_line(out, "Via", via, kVia);
  if (info.ficus_headers) {
    append_line(out, "X-Ficus-Route", info.route);
    append_line(out, "X-Ficus-Target", info.target);
  }
  if (info.framing == Framing::add_chunked) {
    append_list_line(out, "Transfer-Encoding",
                     codings.empty() ? std::nullopt : std::optional<std::string_view>(codings),
                     "chunked");
  } else if (info.framing == Framing::drop_chunked && !codings.empty()) {
    append_line(out, "Transfer-Encoding", codings);
  }
  // Connection was dropped with the other hop-by-hop fields; say only what differs from the
  // version's default.
  if (info.client_version >= 11 && !info.keep_alive) append_line(out, "Connection", "close");
  if (info.client_version < 11 && info.keep_alive) append_line(out, "Connection", "keep-alive");
  if (!info.pin_cookie.empty()) {
    out.append("Set-Cookie: ");
    out.append(info.pin_cookie);
    out.append("=new; Path=/; HttpOnly; SameSite=Lax\r\n");
  }
  out.append("\r\n");
}

}  // namespace ficus::proxy
