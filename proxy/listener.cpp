#include "proxy/listener.h"

#include <spdlog/spdlog.h>

#include "proxy/proxy_state.h"
#include "proxy/worker.h"

namespace ficus::proxy {

std::string open_acceptor(tcp::acceptor& acceptor, const config::HostPort& address) {
  error_code ec;
  auto ip = net::ip::make_address(address.host, ec);
  if (ec) {
    // A name such as "localhost": take its first address.
    tcp::resolver resolver(acceptor.get_executor());
    auto results = resolver.resolve(address.host, std::to_string(address.port), ec);
    if (ec || results.empty()) return "cannot resolve listen address " + address.to_string();
    ip = results.begin()->endpoint().address();
  }
  tcp::endpoint endpoint(ip, address.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    return "cannot listen on " + address.to_string() + ": " + ec.message();
  }
  return {};
}

Listener::Listener(net::io_context& control, std::vector<std::unique_ptr<Worker>>& workers,
                   ProxyState& state)
    : control_(control), workers_(workers), state_(state), acceptor_(control) {}

std::string Listener::open(const config::HostPort& address) {
  auto error = open_acceptor(acceptor_, address);
  if (error.empty()) port_ = acceptor_.local_endpoint().port();
  return error;
}

void Listener::start() {
  net::co_spawn(control_, accept_loop(), net::detached);
}

void Listener::stop() {
  error_code ignored;
  acceptor_.close(ignored);
}

net::awaitable<void> Listener::accept_loop() {
  for (;;) {
    Worker& worker = *workers_[next_worker_++ % workers_.size()];
    auto [ec, socket] = co_await acceptor_.async_accept(worker.io(), use_nothrow);
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Out of descriptors and similar: back off briefly instead of spinning.
      spdlog::warn("accept failed: {}", ec.message());
      net::steady_timer pause(control_, std::chrono::milliseconds(50));
      co_await pause.async_wait(use_nothrow);
      continue;
    }
    auto limit = state_.routes.load()->config().limits.max_connections;
    if (state_.open_connections.load(std::memory_order_relaxed) >= limit) {
      error_code ignored;
      socket.close(ignored);  // over the connection limit: refuse rather than degrade everyone
      continue;
    }
    worker.adopt(std::move(socket));
  }
}

}  // namespace ficus::proxy
