// AdminServer: the admin listener (default 127.0.0.1:9901): health, readiness, effective config,
// and whatever other parts register (metrics, OFREP, the admin API).
//
// It runs on the control thread, away from the workers, so a slow admin call never delays traffic.
// Each connection is a coroutine, so a slow admin client holds only its own connection, never the
// thread; it is cut off at the proxy's timeouts (timeouts.header_read_ms for a request head,
// timeouts.body_idle_ms between body bytes, timeouts.keepalive_idle_ms between requests).
//
// Access (proxy/admin_access.h): when admin.token_env is set, every path except /healthz and
// /readyz needs `Authorization: Bearer TOKEN`, compared in constant time; the read-only token
// (admin.read_only_token_env) may only read. The head is checked before the body is read, so an
// unauthenticated client cannot make the server buffer a body. Bodies over admin.max_body_bytes
// get 413. Refused requests are logged and passed to on_denied() (the audit log), at most
// admin.auth_failure_log_max per admin.auth_failure_log_interval_ms, then one summary entry with
// the number suppressed. Neither the log nor the hook ever sees the presented token.
//
//   admin.handle("/admin/config", [&](const AdminRequest& r) { return json_reply(200, ...); });
//   admin.on_denied([&](const AdminDenial& d) { audit.append(...); });
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "config/proxy_config.h"
#include "proxy/admin_access.h"
#include "proxy/asio.h"
#include "proxy/denial_limiter.h"

namespace ficus::proxy {

struct ProxyState;

using AdminRequest = http::request<http::string_body>;
using AdminReply = http::response<http::string_body>;
using AdminHandler = std::function<AdminReply(const AdminRequest&)>;

// A reply with Server, Content-Type (when given) and a body with its Content-Length.
AdminReply text_reply(http::status status, std::string_view content_type, std::string body);
// text_reply with a JSON body, never cached.
AdminReply json_reply(http::status status, const nlohmann::json& body);

// The credential the admin server admitted `request` with. Handlers use it to name who acted;
// the server sets it on every request it dispatches, replacing anything a client sent.
AdminCredential credential_of(const AdminRequest& request);

// A refused admin request, or the summary of those the rate limit suppressed.
struct AdminDenial {
  enum class Kind {
    unauthenticated,  // 401
    read_only,        // 403: the read-only token asked for a change
    suppressed,       // summary: `suppressed` more refusals were not recorded one by one
  };
  Kind kind = Kind::unauthenticated;
  std::string actor;   // X-Ficus-Actor of a read-only request, else "read-only"; "unauthenticated"
  std::string method;  // empty for a summary
  std::string path;    // without the query string
  std::string remote;  // "127.0.0.1:53412"
  std::string reason;  // what was wrong, never the token itself
  std::uint64_t suppressed = 0;
};

class AdminServer {
 public:
  AdminServer(net::io_context& control, ProxyState& state);

  // Exact path match (query string ignored); a path ending in '/' matches everything below it.
  void handle(std::string path, AdminHandler handler);
  // Called on the control thread for each refusal recorded and each suppression summary.
  void on_denied(std::function<void(const AdminDenial&)> hook) { denied_ = std::move(hook); }
  std::string open(const config::HostPort& address);
  void start();
  // Closes the listener and writes any pending suppression summary.
  void stop();
  std::uint16_t port() const { return port_; }

 private:
  // Admin connections open at once beyond this are closed as soon as they are accepted: the API is
  // for operators and Prometheus, and without a cap only the timeouts would bound how many
  // descriptors a flood of idle connections holds.
  static constexpr std::size_t kMaxAdminConnections = 256;

  // Counts one open admin connection for as long as it lives; taken when the connection is
  // accepted, so the count is right before its coroutine first runs.
  class ConnectionSlot {
   public:
    explicit ConnectionSlot(std::shared_ptr<std::size_t> open) : open_(std::move(open)) {
      ++*open_;
    }
    ConnectionSlot(ConnectionSlot&&) noexcept = default;  // leaves the source empty
    ConnectionSlot& operator=(ConnectionSlot&&) = delete;
    ~ConnectionSlot() {
      if (open_) --*open_;
    }

   private:
    std::shared_ptr<std::size_t> open_;
  };

  net::awaitable<void> accept_loop();
  net::awaitable<void> serve(tcp::socket socket, ConnectionSlot slot);
  AdminReply dispatch(const AdminRequest& request) const;
  AdminReply refuse(const AdminAccess& access, const AdminRequest& request,
                    const std::string& remote);
  void close_denial_window();

  net::io_context& control_;
  ProxyState& state_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::map<std::string, AdminHandler, std::less<>> handlers_;
  std::function<void(const AdminDenial&)> denied_;
  DenialLimiter denial_limiter_;
  net::steady_timer denial_window_;
  std::chrono::milliseconds denial_interval_{0};  // of the open window, for its summary
  // Control thread only. Shared with each connection's coroutine, whose frame may be destroyed
  // after this server when the loop is torn down.
  std::shared_ptr<std::size_t> open_connections_ = std::make_shared<std::size_t>(0);
  bool refusing_connections_ = false;  // at kMaxAdminConnections, logged once
};

}  // namespace ficus::proxy
