#include "tests/support/load/slow_header_clients.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include <boost/asio.hpp>

namespace ficus::testing {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

// One connection's shared state: the writer trickles bytes, the reader waits for the server to
// close and wakes the writer (by cancelling its timer) when it does.
struct Connection {
  explicit Connection(const net::any_io_executor& executor) : socket(executor), pace(executor) {}
  tcp::socket socket;
  net::steady_timer pace;
  bool closed_by_server = false;
  SlowClientCut cut;
};

}  // namespace

struct SlowHeaderClients::Impl {
  explicit Impl(SlowClientOptions o) : options(std::move(o)) {}

  net::awaitable<void> read_until_closed(std::shared_ptr<Connection> conn);

  net::awaitable<void> run_client();

  SlowClientOptions options;
  net::io_context context;
  std::thread thread;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> completed{0}, connect_failures{0};
  std::mutex mutex;
  std::vector<SlowClientCut> cuts;
};

net::awaitable<void> SlowHeaderClients::Impl::read_until_closed(std::shared_ptr<Connection> conn) {
  char buffer[512];
  for (;;) {
    auto [ec, n] = co_await conn->socket.async_read_some(net::buffer(buffer), use_nothrow);
    if (ec) break;
    conn->cut.received.append(buffer, n);
  }
  conn->closed_by_server = !stopping.load();
  conn->cut.closed = Clock::now();
  conn->pace.cancel();
}

net::awaitable<void> SlowHeaderClients::Impl::run_client() {
  auto executor = co_await net::this_coro::executor;
  const tcp::endpoint endpoint(net::ip::address_v4::loopback(), options.port);
  while (!stopping.load()) {
    auto conn = std::make_shared<Connection>(executor);
    auto [connect_ec] = co_await conn->socket.async_connect(endpoint, use_nothrow);
    if (connect_ec) {
      connect_failures.fetch_add(1);
      conn->pace.expires_after(std::chrono::milliseconds(50));
      co_await conn->pace.async_wait(use_nothrow);
      continue;
    }
    conn->cut.connected = Clock::now();
    net::co_spawn(executor, read_until_closed(conn), net::detached);
    while (!stopping.load() && conn->cut.closed == Clock::time_point{}) {
      if (conn->cut.bytes_sent == options.head.size()) {
        completed.fetch_add(1);
        break;
      }
      auto [write_ec, n] = co_await net::async_write(
          conn->socket, net::buffer(options.head.data() + conn->cut.bytes_sent, 1), use_nothrow);
      if (write_ec) break;
      ++conn->cut.bytes_sent;
      conn->pace.expires_after(options.byte_interval);
      co_await conn->pace.async_wait(use_nothrow);
    }
    // Wait for the reader to see the close (the server's, or ours at stop()).
    while (conn->cut.closed == Clock::time_point{}) {
      if (stopping.load()) {
        error_code ignored;
        conn->socket.close(ignored);
      }
      conn->pace.expires_after(std::chrono::milliseconds(10));
      co_await conn->pace.async_wait(use_nothrow);
    }
    if (conn->closed_by_server) {
      std::lock_guard lock(mutex);
      cuts.push_back(conn->cut);
    }
  }
}

SlowHeaderClients::SlowHeaderClients(SlowClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

SlowHeaderClients::~SlowHeaderClients() {
  stop();
}

void SlowHeaderClients::start() {
  // One strand-free thread: every client's coroutines run on it, so they share state unlocked.
  for (unsigned i = 0; i < impl_->options.clients; ++i) {
    net::co_spawn(impl_->context, impl_->run_client(), net::detached);
  }
  impl_->thread = std::thread([this] { impl_->context.run(); });
}

std::vector<SlowClientCut> SlowHeaderClients::stop() {
  if (!impl_->thread.joinable()) return {};
  impl_->stopping.store(true);
  impl_->thread.join();
  std::lock_guard lock(impl_->mutex);
  auto cuts = std::move(impl_->cuts);
  std::sort(cuts.begin(), cuts.end(), [](const SlowClientCut& a, const SlowClientCut& b) {
    return a.connected < b.connected;
  });
  return cuts;
}

std::size_t SlowHeaderClients::completed_heads() const {
  return impl_->completed.load();
}

std::size_t SlowHeaderClients::connect_failures() const {
  return impl_->connect_failures.load();
}

}  // namespace ficus::testing
