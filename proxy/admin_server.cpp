#include "proxy/admin_server.h"

#include <array>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "proxy/listener.h"
#include "proxy/proxy_state.h"

namespace ficus::proxy {
namespace {

constexpr std::uint32_t kAdminHeaderLimit = 16 * 1024;
// Set by the server on every dispatched request; see credential_of().
constexpr std::string_view kCredentialField = "Ficus-Admin-Credential";

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

std::string remote_of(const tcp::socket& socket) {
  error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  const auto address = endpoint.address();
  return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), endpoint.port())
                         : fmt::format("{}:{}", address.to_string(), endpoint.port());
}

std::string actor_header(const AdminRequest& request) {
  std::string_view actor = request["X-Ficus-Actor"];
  const auto first = actor.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  actor = actor.substr(first, 200);
  return std::string(actor.substr(0, actor.find_last_not_of(" \t") + 1));
}

// The error replies a client gets before its request reaches a handler. OFREP clients read
// "errorDetails", the rest of the admin API "error"; both are given.
AdminReply early_error(http::status status, std::string_view path, const std::string& message) {
  nlohmann::json body = {{"error", message}};
  if (path.starts_with("/ofrep/")) {
    body["errorCode"] = "GENERAL";
    body["errorDetails"] = message;
  }
  auto reply = json_reply(status, body);
  reply.keep_alive(false);
  return reply;
}

// After refusing a request whose body was not read: stop sending, then read and discard what the
// client is still sending for a while. Closing with unread bytes would make the kernel send a
// reset, and the client could lose the reply (401, 413) before reading it.
net::awaitable<void> linger_close(beast::tcp_stream& stream) {
  constexpr std::size_t kMaxDiscard = 8 * 1024 * 1024;
  constexpr auto kLinger = std::chrono::seconds(2);
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  std::array<char, 16 * 1024> sink;
  std::size_t discarded = 0;
  stream.expires_after(kLinger);
  while (discarded < kMaxDiscard) {
    auto [ec, n] = co_await stream.async_read_some(net::buffer(sink), use_nothrow);
    if (ec) break;
    discarded += n;
  }
}

}  // namespace

AdminReply text_reply(http::status status, std::string_view content_type, std::string body) {
  AdminReply reply{status, 11};
  reply.set(http::field::server, "ficus");
  if (!content_type.empty()) reply.set(http::field::content_type, content_type);
  reply.body() = std::move(body);
  reply.prepare_payload();
  return reply;
}

AdminReply json_reply(http::status status, const nlohmann::json& body) {
  auto reply = text_reply(status, "application/json", body.dump(2) + "\n");
  reply.set(http::field::cache_control, "no-store");
  return reply;
}

AdminCredential credential_of(const AdminRequest& request) {
  const std::string_view value = request[kCredentialField];
  for (auto credential :
       {AdminCredential::admin, AdminCredential::read_only, AdminCredential::none}) {
    if (value == to_string(credential)) return credential;
  }
  return AdminCredential::anonymous;
}

AdminServer::AdminServer(net::io_context& control, ProxyState& state)
    : control_(control), state_(state), acceptor_(control), denial_window_(control) {}

void AdminServer::handle(std::string path, AdminHandler handler) {
  handlers_[std::move(path)] = std::move(handler);
}

std::string AdminServer::open(const config::HostPort& address) {
  auto error = open_acceptor(acceptor_, address);
  if (error.empty()) port_ = acceptor_.local_endpoint().port();
  return error;
}

void AdminServer::start() {
  net::co_spawn(control_, accept_loop(), net::detached);
}

void AdminServer::stop() {
  error_code ignored;
  acceptor_.close(ignored);
  denial_window_.cancel();
  close_denial_window();
}

net::awaitable<void> AdminServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of descriptors and similar: back off briefly instead of spinning, as the listener does.
      spdlog::warn("admin: accept failed: {}", ec.message());
      net::steady_timer pause(control_, std::chrono::milliseconds(50));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    if (*open_connections_ >= kMaxAdminConnections) {
      if (!refusing_connections_) {
        spdlog::warn("admin: {} connections open, closing new ones until some end",
                     kMaxAdminConnections);
        refusing_connections_ = true;
      }
      error_code ignored;
      socket.close(ignored);
      continue;
    }
    refusing_connections_ = false;
    net::co_spawn(control_, serve(std::move(socket), ConnectionSlot(open_connections_)),
                  net::detached);
  }
}

AdminReply AdminServer::dispatch(const AdminRequest& request) const {
  const std::string_view path = path_of(request.target());
  auto exact = handlers_.find(path);
  if (exact != handlers_.end()) return exact->second(request);
  // Longest registered prefix ending in '/'.
  for (auto it = handlers_.rbegin(); it != handlers_.rend(); ++it) {
    const auto& prefix = it->first;
    if (prefix.ends_with('/') && path.starts_with(prefix)) return it->second(request);
  }
  return json_reply(http::status::not_found,
                    {{"error", "no such admin endpoint"}, {"path", std::string(path)}});
}

AdminReply AdminServer::refuse(const AdminAccess& access, const AdminRequest& request,
                               const std::string& remote) {
  const std::string path(path_of(request.target()));
  const bool read_only = access.outcome == AdminAccess::Outcome::read_only;
  const auto& admin = state_.routes.load()->config().admin;
  const auto admission = denial_limiter_.admit(admin.auth_failure_log_max);
  if (admission.opened_window) {
    denial_interval_ = admin.auth_failure_log_interval;
    denial_window_.expires_after(denial_interval_);
    denial_window_.async_wait([this](const error_code& ec) {
      if (!ec) close_denial_window();
    });
  }
  if (admission.record) {
    AdminDenial denial;
    denial.kind = read_only ? AdminDenial::Kind::read_only : AdminDenial::Kind::unauthenticated;
    denial.actor = "unauthenticated";
    if (read_only) {
      // Only an authenticated caller's X-Ficus-Actor is worth recording.
      denial.actor = actor_header(request);
      if (denial.actor.empty()) denial.actor = to_string(AdminCredential::read_only);
    }
    denial.method = request.method_string();
    denial.path = path;
    denial.remote = remote;
    denial.reason = access.message;
    spdlog::warn("admin: refused {} {} from {} ({}): {}", denial.method, path, remote,
                 access.status() == http::status::unauthorized ? 401 : 403, access.message);
    if (denied_) denied_(denial);
  }
  auto reply = early_error(access.status(), path, access.message);
  if (!read_only) reply.set(http::field::www_authenticate, "Bearer realm=\"ficus-admin\"");
  return reply;
}

void AdminServer::close_denial_window() {
  const std::uint64_t suppressed = denial_limiter_.close_window();
  if (suppressed == 0) return;
  AdminDenial summary;
  summary.kind = AdminDenial::Kind::suppressed;
  summary.actor = "ficus";
  summary.suppressed = suppressed;
  summary.reason = fmt::format(
      "{} more refused admin requests in {} ms were not logged one by one (at most "
      "admin.auth_failure_log_max per admin.auth_failure_log_interval_ms)",
      suppressed, denial_interval_.count());
  spdlog::warn("admin: {}", summary.reason);
  if (denied_) denied_(summary);
}

net::awaitable<void> AdminServer::serve(tcp::socket socket, ConnectionSlot) {
  const std::string remote = remote_of(socket);
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (bool first = true;; first = false) {
    // Each request sees the config current when it starts: a reload changes tokens and limits.
    const auto routes = state_.routes.load();
    const auto& config = routes->config();
    const auto& timeouts = config.timeouts;

    // Like the proxy: a new connection must start its request within the header timeout, an idle
    // keep-alive one may wait for its next request as long as the keep-alive timeout.
    if (buffer.size() == 0) {
      stream.expires_after(first ? timeouts.header_read : timeouts.keepalive_idle);
      auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_nothrow);
      if (ec) break;
      buffer.commit(n);
    }

    http::request_parser<http::string_body> parser;
    parser.header_limit(kAdminHeaderLimit);
    // No body limit while the head is read, so that authentication comes first (401 before 413);
    // the limit is set before a byte of the body is read.
    parser.body_limit(boost::none);
    stream.expires_after(timeouts.header_read);
    auto [head_ec, head_n] = co_await http::async_read_header(stream, buffer, parser, use_nothrow);
    std::optional<AdminReply> early;
    if (head_ec == http::error::header_limit) {
      early =
          early_error(http::status::request_header_fields_too_large, "",
                      fmt::format("admin request head larger than {} bytes", kAdminHeaderLimit));
    } else if (head_ec) {
      break;  // timeout (tcp_stream closed the socket), client gone, or not HTTP
    }

    const auto too_large = [&] {
      return early_error(http::status::payload_too_large, path_of(parser.get().target()),
                         fmt::format("request body larger than admin.max_body_bytes ({} bytes)",
                                     config.admin.max_body_bytes));
    };
    if (!early) {
      auto& head = parser.get();
      const AdminAccess access = authorize(config.admin, head.method(), path_of(head.target()),
                                           head[http::field::authorization]);
      if (access.outcome != AdminAccess::Outcome::allowed) {
        early = refuse(access, head, remote);
      } else if (parser.content_length().value_or(0) > config.admin.max_body_bytes) {
        early = too_large();  // refused on its Content-Length, before any of the body is read
      } else {
        head.set(kCredentialField, to_string(access.credential));
        parser.body_limit(config.admin.max_body_bytes);  // a chunked body is counted as it comes
      }
    }
    if (!early && beast::iequals(parser.get()[http::field::expect], "100-continue") &&
        !parser.is_done()) {
      // curl and others wait for this before sending a body over 1 KiB.
      http::response<http::empty_body> go_on{http::status::continue_, 11};
      stream.expires_after(timeouts.body_idle);
      auto [ec, n] = co_await http::async_write(stream, go_on, use_nothrow);
      if (ec) break;
    }
    while (!early && !parser.is_done()) {
      stream.expires_after(timeouts.body_idle);
      auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, use_nothrow);
      if (ec == http::error::body_limit) {
        early = too_large();
      } else if (ec) {
        co_return;  // idle past timeouts.body_idle_ms, or gone: nobody to answer
      }
    }

    AdminReply reply;
    bool keep_alive = false;
    if (early) {
      reply = std::move(*early);
    } else {
      const auto& request = parser.get();
      keep_alive = request.keep_alive();
      try {
        reply = dispatch(request);
      } catch (const std::exception& e) {
        spdlog::error("admin {} {}: {}", request.method_string(), path_of(request.target()),
                      e.what());
        reply = json_reply(http::status::internal_server_error, {{"error", e.what()}});
      }
    }
    reply.keep_alive(keep_alive);
    stream.expires_after(timeouts.body_idle);
    auto [wec, wn] = co_await http::async_write(stream, reply, use_nothrow);
    if (wec) co_return;
    if (early) {
      co_await linger_close(stream);
      co_return;
    }
    if (!keep_alive) break;
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace ficus::proxy
