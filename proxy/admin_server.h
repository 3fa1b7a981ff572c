// AdminServer: the admin listener (default 127.0.0.1:9901): health, readiness, effective config,
// and whatever other parts register (metrics, OFREP, the admin API).
//
// It runs on the control thread, away from the workers, so a slow admin call never delays traffic.
// When a token is configured every path except /healthz and /readyz needs
// `Authorization: Bearer TOKEN`, compared in constant time.
//
//   admin.handle("/admin/config", [&](const AdminRequest& r) { return json_reply(200, ...); });
#pragma once

#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "config/proxy_config.h"
#include "proxy/asio.h"

namespace ficus::proxy {

struct ProxyState;

using AdminRequest = http::request<http::string_body>;
using AdminReply = http::response<http::string_body>;
using AdminHandler = std::function<AdminReply(const AdminRequest&)>;

// A reply with Server, Content-Type (when given) and a body with its Content-Length.
AdminReply text_reply(http::status status, std::string_view content_type, std::string body);
// text_reply with a JSON body, never cached.
AdminReply json_reply(http::status status, const nlohmann::json& body);

class AdminServer {
 public:
  AdminServer(net::io_context& control, ProxyState& state);

  // Exact path match (query string ignored); a path ending in '/' matches everything below it.
  void handle(std::string path, AdminHandler handler);
  std::string open(const config::HostPort& address);
  void start();
  void stop();
  std::uint16_t port() const { return port_; }

 private:
  net::awaitable<void> accept_loop();
  net::awaitable<void> serve(tcp::socket socket);
  AdminReply dispatch(const AdminRequest& request) const;

  net::io_context& control_;
  ProxyState& state_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::map<std::string, AdminHandler, std::less<>> handlers_;
};

}  // namespace ficus::proxy
