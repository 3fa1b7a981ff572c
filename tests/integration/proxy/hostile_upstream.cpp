#include "tests/integration/proxy/hostile_upstream.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

namespace ficus::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

enum class Parse { complete, need_more, bad };

struct Parsed {
  Parse result = Parse::need_more;
  std::size_t consumed = 0;
  WireMessage message;
};

// Parses one request from the front of `wire` with a fresh strict parser (bare LF, obs-fold in
// framing, bad chunk sizes and the like are errors to Beast, as they should be to any upstream).
Parsed parse_one(const std::string& wire) {
  Parsed out;
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(1024 * 1024);
  parser.body_limit(boost::none);
  while (!parser.is_done()) {
    beast::error_code ec;
    std::size_t used =
        parser.put(asio::buffer(wire.data() + out.consumed, wire.size() - out.consumed), ec);
    out.consumed += used;
    if (ec == http::error::need_more || (!ec && used == 0)) return out;
    if (ec) {
      out.result = Parse::bad;
      return out;
    }
  }
  const auto& request = parser.get();
  out.result = Parse::complete;
  out.message.bytes = wire.substr(0, out.consumed);
  out.message.method = std::string(request.method_string());
  out.message.target = std::string(request.target());
  out.message.version = request.version();
  for (const auto& field : request) {
    out.message.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.message.body = request.body();
  return out;
}

}  // namespace

std::size_t WireMessage::count(std::string_view lower_name) const {
  std::size_t n = 0;
  for (const auto& [name, value] : headers) n += beast::iequals(name, lower_name) ? 1 : 0;
  return n;
}

struct WireUpstream::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::thread thread;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::vector<WireMessage> messages;
  std::string stray;
  std::string unfinished;

  void record(WireMessage message) {
    std::lock_guard lock(mutex);
    messages.push_back(std::move(message));
    changed.notify_all();
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    std::string pending;
    char chunk[16 * 1024];
    for (;;) {
      while (!pending.empty()) {
        Parsed parsed = parse_one(pending);
        if (parsed.result == Parse::need_more) break;
        if (parsed.result == Parse::bad) {
          std::lock_guard lock(mutex);
          stray += pending;
          co_return;  // the socket closes: no answer to bytes that are no request
        }
        std::string reply_body = "wire:" + parsed.message.target;
        std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                            std::to_string(reply_body.size()) + "\r\n\r\n" + reply_body;
        record(std::move(parsed.message));
        pending.erase(0, parsed.consumed);
        auto [write_ec, written] = co_await asio::async_write(socket, asio::buffer(reply), nothrow);
        if (write_ec) break;
      }
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), nothrow);
      if (ec) {
        std::lock_guard lock(mutex);
        unfinished += pending;
        co_return;
      }
      pending.append(chunk, n);
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(nothrow);
      if (ec) co_return;
      asio::co_spawn(io, serve(std::move(socket)), asio::detached);
    }
  }
};

WireUpstream::WireUpstream() : impl_(std::make_unique<Impl>()) {
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

WireUpstream::~WireUpstream() {
  impl_->io.stop();
  impl_->thread.join();
}

std::string WireUpstream::address() const {
  return "127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

std::vector<WireMessage> WireUpstream::messages() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->messages;
}

std::string WireUpstream::stray_bytes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stray;
}

std::string WireUpstream::unfinished_bytes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->unfinished;
}

bool WireUpstream::wait_for_messages(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, timeout, [&] { return impl_->messages.size() >= count; });
}

}  // namespace ficus::testing
