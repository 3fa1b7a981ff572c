// RequestAttributes: what a flag's targeting rules may ask about a request, answered lazily.
//
// The flag evaluator asks by dotted name; nothing is copied unless a rule asks for it:
//   method, path, host, client_ip, headers.<lower-case name>, cookies.<name>, query.<name>
// `client_ip` is the socket peer, or, when the peer is one of `trusted_proxies`, the address the
// proxy chain reports in X-Forwarded-For (the rightmost one that is not itself trusted).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/proxy_config.h"
#include "flags/eval_context.h"
#include "proxy/asio.h"

namespace ficus::proxy {

// The value of cookie `name` in a Cookie header, if present.
std::optional<std::string_view> find_cookie(std::string_view cookie_header, std::string_view name);
// The raw value of query parameter `name` in a request target, if present.
std::optional<std::string_view> find_query_parameter(std::string_view target,
                                                     std::string_view name);
// The client address: `peer`, or the forwarded one when `peer` is a trusted proxy. The networks
// are ProxyConfig::trusted_proxy_networks, parsed once when the config was loaded.
std::string_view effective_client_ip(std::string_view peer, std::string_view x_forwarded_for,
                                     const std::vector<config::IpNetwork>& trusted_proxies);

class RequestAttributes final : public flags::AttributeResolver {
 public:
  RequestAttributes(const http::request_header<>& head, std::string_view path,
                    std::string_view client_ip)
      : head_(head), path_(path), client_ip_(client_ip) {}

  std::optional<std::string_view> attribute(std::string_view dotted_path) const override;

  const http::request_header<>& head() const { return head_; }
  std::string_view client_ip() const { return client_ip_; }

 private:
  const http::request_header<>& head_;
  std::string_view path_;
  std::string_view client_ip_;
};

}  // namespace ficus::proxy
