// TimedSocket: a TCP socket whose reads, writes and connects run against one deadline, kept by a
// lazily re-armed timer.
//
// beast::tcp_stream arms a timer around every operation and cancels it when the operation ends: a
// timer-queue insert and removal, a wait operation and its cancelled handler through the event
// loop, four times per proxied request. Here starting an operation only compares its deadline with
// the one the connection's timer already waits for. The timer is re-armed only when the new
// deadline is earlier; when it fires and the deadline has moved later meanwhile, it waits again. On
// a busy keep-alive connection it fires about once per timeout period instead of being armed per
// operation (bench/RESULTS.md).
//
// The contract is beast::tcp_stream's, so the session code reads the same: expires_after() before
// an operation; an operation pending when the deadline passes completes with
// beast::error::timeout and the socket is closed (a slow client is cut off, an upstream that does
// not answer becomes a 504); one started after the deadline fails the same way.
//
// Sockets use the io_context's own executor type rather than any_io_executor: no type-erased
// executor copies per operation. An owner must outlive its pending operations, which holds for
// operations a coroutine awaits (the coroutine owns the socket, directly or through its session).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

#include "proxy/asio.h"

namespace ficus::proxy {

using Executor = net::io_context::executor_type;
using Socket = net::basic_stream_socket<tcp, Executor>;

class TimedSocket {
 public:
  using executor_type = Executor;
  using clock = std::chrono::steady_clock;

  explicit TimedSocket(Socket socket);
  explicit TimedSocket(const Executor& executor);
  ~TimedSocket();
  TimedSocket(const TimedSocket&) = delete;
  TimedSocket& operator=(const TimedSocket&) = delete;

  executor_type get_executor() noexcept { return socket_.get_executor(); }
  Socket& socket() { return socket_; }

  // The deadline for the operations that follow, until it is set again.
  void expires_after(clock::duration timeout) { deadline_ = clock::now() + timeout; }
  void expires_never() { deadline_ = clock::time_point::max(); }

  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    return net::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& into) {
          start_operation();
          socket_.async_read_some(into, completion(std::move(handler)));
        },
        token, buffers);
  }

  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    return net::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& from) {
          start_operation();
          socket_.async_write_some(from, completion(std::move(handler)));
        },
        token, buffers);
  }

  template <class Token>
  auto async_connect(const tcp::endpoint& endpoint, Token&& token) {
    return net::async_initiate<Token, void(error_code)>(
        [this](auto handler, const tcp::endpoint& to) {
          start_operation();
          socket_.async_connect(to, completion(std::move(handler)));
        },
        token, endpoint);
  }

 private:
  struct Watch;  // the timer, shared with its pending wait so a late completion finds it alive

  // Wraps an operation's handler: ends the operation (a timeout turns its error into
  // beast::error::timeout), then calls the handler. Keeps the handler's allocator.
  template <class Handler>
  struct Completion {
    TimedSocket* self;
    Handler handler;

    // The socket's own executor, not the handler's (a coroutine's any_io_executor on the same
    // io_context): Asio then calls the handler straight from the event loop instead of wrapping it
    // for a type-erased executor first.
    using executor_type = Executor;
    executor_type get_executor() const noexcept { return self->socket_.get_executor(); }
    using allocator_type = net::associated_allocator_t<Handler>;
    allocator_type get_allocator() const noexcept { return net::get_associated_allocator(handler); }

    template <class... Args>
    void operator()(error_code ec, Args&&... args) {
      self->end_operation(ec);
      std::move(handler)(ec, std::forward<Args>(args)...);
    }
  };

  template <class Handler>
  Completion<std::decay_t<Handler>> completion(Handler&& handler) {
    return {this, std::forward<Handler>(handler)};
  }

  void start_operation();
  void end_operation(error_code& ec);
  void arm(clock::time_point at);
  static void on_timer(const std::shared_ptr<Watch>& watch, unsigned generation,
                       const error_code& ec);

  Socket socket_;
  clock::time_point deadline_ = clock::time_point::max();
  std::size_t pending_ = 0;  // operations started and not yet completed
  bool timed_out_ = false;
  std::shared_ptr<Watch> watch_;
};

}  // namespace ficus::proxy
