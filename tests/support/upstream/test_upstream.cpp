#include "tests/support/upstream/test_upstream.h"

#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tests/support/upstream/listen_address.h"
#include "tests/support/upstream/upstream_session.h"
#include "tests/support/upstream/upstream_state.h"

namespace ficus::testing {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// Gives every connection its own strand, so with several threads a session never runs on two at
// once. The acceptor lives in this frame: destroying the event loop destroys it too.
asio::awaitable<void> accept_loop(tcp::acceptor acceptor, UpstreamState& state) {
  asio::io_context& context = static_cast<asio::io_context&>(acceptor.get_executor().context());
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(context), nothrow);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors and the like: back off instead of spinning, then keep serving.
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(10));
      co_await pause.async_wait(nothrow);
      continue;
    }
    ++state.connections_accepted;
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serve_connection(std::move(socket), state), asio::detached);
  }
}

}  // namespace

struct TestUpstream::Impl {
  Impl(std::string name, tcp::endpoint listen, unsigned thread_count)
      : state(std::move(name)), endpoint(listen), threads(thread_count == 0 ? 1 : thread_count) {}

  UpstreamState state;
  mutable std::mutex mutex;  // guards everything below: start()/stop() may race with getters
  tcp::endpoint endpoint;    // port filled in by the first start()
  unsigned threads;
  std::unique_ptr<asio::io_context> context;
  std::vector<std::thread> runners;
};

TestUpstream::TestUpstream(std::string name, std::string listen, unsigned threads) {
  auto endpoint = parse_listen_address(listen);
  if (!endpoint) {
    throw std::invalid_argument("TestUpstream: listen address '" + listen + "' is not IP:PORT (" +
                                endpoint.error().message() + ")");
  }
  impl_ = std::make_unique<Impl>(std::move(name), *endpoint, threads);
}

TestUpstream::~TestUpstream() {
  stop();
}

void TestUpstream::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->context) return;
  auto context = std::make_unique<asio::io_context>(static_cast<int>(impl_->threads));

  tcp::acceptor acceptor(*context);
  boost::system::error_code ec;
  acceptor.open(impl_->endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(impl_->endpoint, ec);
  if (!ec) acceptor.listen(tcp::socket::max_listen_connections, ec);
  if (ec) {
    throw std::system_error(ec, "TestUpstream '" + impl_->state.name + "': cannot listen on " +
                                    format_address(impl_->endpoint));
  }
  impl_->endpoint = acceptor.local_endpoint();

  asio::co_spawn(*context, accept_loop(std::move(acceptor), impl_->state), asio::detached);
  for (unsigned i = 0; i < impl_->threads; ++i) {
    impl_->runners.emplace_back([ctx = context.get()] { ctx->run(); });
  }
  impl_->context = std::move(context);
}

void TestUpstream::stop() {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->context) return;
  impl_->context->stop();
  for (auto& runner : impl_->runners) runner.join();
  impl_->runners.clear();
  // Destroying the loop destroys every suspended session, which closes its socket (so /hang ends).
  impl_->context.reset();
}

const std::string& TestUpstream::name() const {
  return impl_->state.name;
}

std::uint16_t TestUpstream::port() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->endpoint.port();
}

std::string TestUpstream::address() const {
  std::lock_guard lock(impl_->mutex);
  return format_address(impl_->endpoint);
}

std::size_t TestUpstream::connections_accepted() const {
  return impl_->state.connections_accepted.load();
}

std::size_t TestUpstream::open_connections() const {
  return impl_->state.open_connections.load();
}

std::vector<RecordedRequest> TestUpstream::requests() const {
  return impl_->state.log.snapshot();
}

void TestUpstream::clear_requests() {
  impl_->state.log.clear();
}

void TestUpstream::set_recording(bool enabled) {
  impl_->state.recording.store(enabled);
}

bool TestUpstream::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
  return impl_->state.log.wait_for(count, timeout);
}

}  // namespace ficus::testing
