// DownstreamSession: one client connection, served as a coroutine on its worker's thread.
//
// Each request goes through named steps in a fixed order (read head -> match route -> choose target
// -> connect upstream -> relay request -> relay response) and always ends in finish(), the one
// place that logs and counts. Bodies stream through a fixed-size buffer in both directions, so a 1
// GiB upload or download costs the same memory as a 1 KiB one.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "proxy/asio.h"
#include "proxy/body_relay.h"
#include "proxy/request_context.h"
#include "proxy/timed_socket.h"

namespace ficus::proxy {

class Worker;
struct ProxyState;
struct RouteDecision;

class DownstreamSession : public std::enable_shared_from_this<DownstreamSession> {
 public:
  DownstreamSession(Socket socket, Worker& worker);
  ~DownstreamSession();

  // Serves requests until the client closes, an error occurs, or the proxy drains.
  net::awaitable<void> run();
  // Drain: closes the connection now if it is waiting for a next request (on the worker thread).
  void close_if_idle();

 private:
  enum class Next { keep_alive, close };
  using RequestParser = http::request_parser<SpanBody>;
  using ResponseParser = http::response_parser<SpanBody>;

  // An error answer a step decided on; serve_one() sends it.
  struct ErrorReply {
    http::status status;
    std::string message;
    bool keep_alive = false;
  };

  net::awaitable<Next> serve_one();
  // Checks the head just read and picks route, target and upstream (no I/O). A value: the request
  // ends here (with error_reply_ set when it gets an answer); nullopt: forward it.
  std::optional<Next> route_request(error_code read_ec, RouteDecision& decision);
  // Records the error answer for this request (steps fail, serve_one sends).
  void fail(http::status status, std::string message, bool keep_alive = false);
  net::awaitable<Next> forward(RequestParser& parser, RequestContext& ctx,
                               const RouteDecision& decision);
  net::awaitable<void> send_error(http::status status, std::string_view error, RequestContext& ctx,
                                  bool keep_alive);
  void finish(RequestContext& ctx);

  TimedSocket stream_;
  beast::flat_buffer buffer_;
  Worker& worker_;
  ProxyState& state_;
  std::string client_ip_;
  // Head text of the request in flight and of its response; cleared per request, so their
  // capacity is reused instead of allocated again.
  std::string upstream_head_;
  std::string client_head_;
  // The request in flight, its response, and the message being relayed: members rather than
  // coroutine locals, so the coroutine frames stay small enough for the allocator's fast path
  // (frames over 1 KiB took glibc's slow path twice per request; bench/RESULTS.md).
  RequestContext ctx_;
  std::optional<ErrorReply> error_reply_;
  std::optional<RequestParser> request_parser_;
  std::optional<ResponseParser> response_parser_;
  Relay relay_;
  bool idle_ = true;
  bool closed_ = false;
};

}  // namespace ficus::proxy
