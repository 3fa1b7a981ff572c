#include "proxy/request_attributes.h"

namespace ficus::proxy {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool is_trusted(std::string_view ip, const std::vector<config::IpNetwork>& trusted_proxies) {
  error_code ec;
  // make_address wants a NUL-terminated string; addresses fit the stack buffer.
  char text[64];
  if (ip.size() >= sizeof text) return false;
  ip.copy(text, ip.size());
  text[ip.size()] = '\0';
  auto address = net::ip::make_address(text, ec);
  if (ec) return false;
  for (const auto& network : trusted_proxies) {
    if (network.contains(address)) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string_view> find_cookie(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    auto end = cookie_header.find(';');
    auto pair = trim(cookie_header.substr(0, end));
    auto equals = pair.find('=');
    if (equals != std::string_view::npos && trim(pair.substr(0, equals)) == name) {
      auto value = trim(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
    if (end == std::string_view::npos) break;
    cookie_header.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::optional<std::string_view> find_query_parameter(std::string_view target,
                                                     std::string_view name) {
  auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  auto query = target.substr(question + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    auto end = query.find('&');
    auto pair = query.substr(0, end);
    auto equals = pair.find('=');
    auto key = pair.substr(0, equals);
    if (key == name) {
      return equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    }
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
  return std::nullopt;
}

std::string_view effective_client_ip(std::string_view peer, std::string_view x_forwarded_for,
                                     const std::vector<config::IpNetwork>& trusted_proxies) {
  // Untrusted headers are never trusted: X-Forwarded-For counts only behind a configured proxy.
  if (trusted_proxies.empty() || x_forwarded_for.empty() || !is_trusted(peer, trusted_proxies)) {
    return peer;
  }
  // Walk right to left past our own trusted hops; the first untrusted address is the client.
  std::string_view rest = x_forwarded_for;
  std::string_view candidate = peer;
  while (!rest.empty()) {
    auto comma = rest.rfind(',');
    auto hop = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    if (!hop.empty()) {
      candidate = hop;
      if (!is_trusted(hop, trusted_proxies)) return hop;
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(0, comma);
  }
  return candidate;
}

std::optional<std::string_view> RequestAttributes::attribute(std::string_view name) const {
  if (name == "method") return std::string_view(head_.method_string());
  if (name == "path") return path_;
  if (name == "client_ip") return client_ip_;
  if (name == "host") {
    std::string_view host = head_[http::field::host];
    if (!host.empty() && host.front() != '[') host = host.substr(0, host.find(':'));
    return host;
  }
  constexpr std::string_view kHeaders = "headers.";
  if (name.starts_with(kHeaders)) {
    auto it = head_.find(name.substr(kHeaders.size()));
    if (it == head_.end()) return std::nullopt;
    return std::string_view(it->value());
  }
  constexpr std::string_view kCookies = "cookies.";
  if (name.starts_with(kCookies)) {
    return find_cookie(head_[http::field::cookie], name.substr(kCookies.size()));
  }
  constexpr std::string_view kQuery = "query.";
  if (name.starts_with(kQuery)) {
    return find_query_parameter(head_.target(), name.substr(kQuery.size()));
  }
  return std::nullopt;
}

}  // namespace ficus::proxy
