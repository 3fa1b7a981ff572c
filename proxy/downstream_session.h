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
#include "proxy/request_state.h"
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
  using RequestParser = RequestState::RequestParser;

  net::awaitable<Next> serve_one();
  // Checks the head just read and picks route, target and upstream (no I/O). A value: the request
  // ends here (with an error answer when it gets one); nullopt: forward it.
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
  // The request in flight (from the worker's pool; null between requests).
  std::unique_ptr<RequestState> req_;
  bool idle_ = true;
  bool closed_ = false;
};

}  // namespace ficus::proxy
