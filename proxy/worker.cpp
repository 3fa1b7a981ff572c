#include "proxy/worker.h"

#include <spdlog/spdlog.h>

#include "flags/flag_store.h"
#include "proxy/downstream_session.h"
#include "proxy/proxy_state.h"
#include "proxy/target_chooser.h"

namespace ficus::proxy {

Worker::Worker(unsigned index, ProxyState& state)
    : index_(index),
      state_(state),
      // Not BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO: the listener accepts sockets into this
      // io_context from the control thread, and Asio recycles per-socket state, so that state is
      // touched by two threads (TSan caught it; bench/RESULTS.md).
      io_(BOOST_ASIO_CONCURRENCY_HINT_1),
      work_(net::make_work_guard(io_)),
      pools_(io_.get_executor(), index),
      routes_(state.routes) {}

Worker::~Worker() {
  stop();
}

const flags::FlagSet* Worker::flags() {
  if (!flags_) {
    const auto* store = state_.chooser != nullptr ? state_.chooser->store() : nullptr;
    if (store == nullptr) return nullptr;
    flags_.emplace(store->snapshot());
  }
  return flags_->get().get();
}

void Worker::start() {
  net::co_spawn(io_, sweep_idle_upstreams(), net::detached);
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      spdlog::critical("worker {} stopped: {}", index_, e.what());
    }
    // Idle pooled sockets belong to this io_context: close them on this thread.
    pools_.clear();
  });
}

void Worker::stop() {
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void Worker::adopt(Socket socket) {
  net::post(io_, [this, socket = std::move(socket)]() mutable {
    auto session = std::make_shared<DownstreamSession>(std::move(socket), *this);
    net::co_spawn(io_, session->run(), net::detached);
  });
}

void Worker::close_idle_sessions() {
  net::post(io_, [this] {
    // close_if_idle() may end a session, which erases itself: iterate over a copy.
    std::vector<DownstreamSession*> sessions(sessions_.begin(), sessions_.end());
    for (auto* session : sessions) {
      if (sessions_.contains(session)) session->close_if_idle();
    }
  });
}

net::awaitable<void> Worker::sweep_idle_upstreams() {
  net::steady_timer timer(io_);
  for (;;) {
    timer.expires_after(kIdleSweepInterval);
    auto [ec] = co_await timer.async_wait(use_nothrow);
    if (ec) co_return;
    pools_.sweep_idle(std::chrono::steady_clock::now());
  }
}

}  // namespace ficus::proxy
