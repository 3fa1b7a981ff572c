#include "proxy/admin_server.h"

#include <spdlog/spdlog.h>

#include "proxy/constant_time.h"
#include "proxy/listener.h"
#include "proxy/proxy_state.h"

namespace ficus::proxy {
namespace {

constexpr std::uint32_t kAdminHeaderLimit = 16 * 1024;
constexpr std::uint64_t kAdminBodyLimit = 1024 * 1024;
constexpr auto kAdminTimeout = std::chrono::seconds(10);

bool is_public(std::string_view path) {
  return path == "/healthz" || path == "/readyz";
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

AdminServer::AdminServer(net::io_context& control, ProxyState& state)
    : control_(control), state_(state), acceptor_(control) {}

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
}

net::awaitable<void> AdminServer::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_nothrow);
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) continue;
    net::co_spawn(control_, serve(std::move(socket)), net::detached);
  }
}

AdminReply AdminServer::dispatch(const AdminRequest& request) const {
  std::string_view target = request.target();
  std::string_view path = target.substr(0, target.find('?'));
  const auto& token = state_.routes.load()->config().admin.token;
  if (!token.empty() && !is_public(path)) {
    std::string_view auth = request[http::field::authorization];
    constexpr std::string_view kBearer = "Bearer ";
    bool ok = auth.size() > kBearer.size() &&
              beast::iequals(auth.substr(0, kBearer.size()), kBearer) &&
              constant_time_equals(auth.substr(kBearer.size()), token);
    if (!ok) {
      auto reply =
          json_reply(http::status::unauthorized, {{"error", "missing or invalid bearer token"}});
      reply.set(http::field::www_authenticate, "Bearer realm=\"ficus-admin\"");
      return reply;
    }
  }
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

net::awaitable<void> AdminServer::serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kAdminHeaderLimit);
    parser.body_limit(kAdminBodyLimit);
    stream.expires_after(kAdminTimeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_nothrow);
    if (ec) {
      if (ec == http::error::body_limit || ec == http::error::header_limit) {
        auto reply =
            json_reply(http::status::payload_too_large, {{"error", "admin request too large"}});
        reply.keep_alive(false);
        co_await http::async_write(stream, reply, use_nothrow);
      }
      break;
    }
    const auto& request = parser.get();
    AdminReply reply;
    try {
      reply = dispatch(request);
    } catch (const std::exception& e) {
      spdlog::error("admin {} {}: {}", request.method_string(), request.target(), e.what());
      reply = json_reply(http::status::internal_server_error, {{"error", e.what()}});
    }
    reply.keep_alive(request.keep_alive());
    stream.expires_after(kAdminTimeout);
    auto [wec, wn] = co_await http::async_write(stream, reply, use_nothrow);
    if (wec || !request.keep_alive()) break;
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace ficus::proxy
