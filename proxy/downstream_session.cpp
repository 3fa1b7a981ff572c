#include "proxy/downstream_session.h"

#include <random>

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include "config/route_table.h"
#include "proxy/body_relay.h"
#include "proxy/error_reply.h"
#include "proxy/forwarding_headers.h"
#include "proxy/metrics/comparison_window.h"
#include "proxy/metrics/proxy_metrics.h"
#include "proxy/proxy_state.h"
#include "proxy/request_attributes.h"
#include "proxy/target_chooser.h"
#include "proxy/upstream_pool.h"
#include "proxy/worker.h"

namespace ficus::proxy {

// Everything decided about a request before any byte goes upstream. Holding `routes` keeps the
// route and upstream configs alive even if a reload publishes a new table meanwhile.
struct RouteDecision {
  std::shared_ptr<const config::RouteTable> routes;
  const config::RouteConfig* route = nullptr;
  const config::UpstreamConfig* upstream = nullptr;
  Target target = Target::old_target;
  std::chrono::milliseconds timeout{0};
};

namespace {

constexpr std::uint32_t kMaxUpstreamHeaderBytes = 64 * 1024;

// The first read of each request. The buffer is freed while a connection waits (10,000 idle
// keep-alive connections hold no buffers), so it is allocated again per request: at 1 KiB that is
// a hit in glibc's per-thread cache (tcache, up to 1032 bytes); 4 KiB went through the main
// allocator and its consolidation each time (bench/RESULTS.md). Larger heads grow the buffer.
constexpr std::size_t kFirstReadBytes = 1024;

// Per-thread generator for bucketing keys of requests that carry none ("random"). Not for secrets.
std::uint64_t next_random() {
  thread_local std::uint64_t state = std::random_device{}() | 1;
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

bool is_idempotent(http::verb method) {
  return method == http::verb::get || method == http::verb::head || method == http::verb::options;
}

bool is_client_gone(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::operation_aborted ||
         ec == net::error::broken_pipe;
}

bool is_http_parse_error(const error_code& ec) {
  return ec.category() == make_error_code(http::error::bad_method).category();
}

FailureKind classify_upstream_error(const error_code& ec) {
  if (ec == beast::error::timeout) return FailureKind::timeout;
  if (is_http_parse_error(ec)) return FailureKind::protocol;
  return FailureKind::reset;
}

http::status status_for(FailureKind failure) {
  switch (failure) {
    case FailureKind::timeout:
      return http::status::gateway_timeout;
    case FailureKind::no_endpoint:
      return http::status::service_unavailable;
    default:
      return http::status::bad_gateway;
  }
}

}  // namespace

DownstreamSession::DownstreamSession(Socket socket, Worker& worker)
    : stream_(std::move(socket)), worker_(worker), state_(worker.state()) {
  error_code ec;
  auto peer = stream_.socket().remote_endpoint(ec);
  if (!ec) client_ip_ = peer.address().to_string();
  stream_.socket().set_option(tcp::no_delay(true), ec);
  state_.open_connections.fetch_add(1, std::memory_order_relaxed);
}

DownstreamSession::~DownstreamSession() {
  state_.open_connections.fetch_sub(1, std::memory_order_relaxed);
}

void DownstreamSession::close_if_idle() {
  if (!idle_ || closed_) return;
  closed_ = true;
  error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.socket().close(ignored);
}

net::awaitable<void> DownstreamSession::run() {
  auto self = shared_from_this();
  worker_.add_session(this);
  for (bool first = true; !closed_; first = false) {
    // Wait for the next request, unless a pipelined one is already here. Inline, not a coroutine
    // of its own: one frame allocation less per request.
    if (buffer_.size() == 0) {
      if (state_.draining.load(std::memory_order_acquire)) break;
      const auto& timeouts = worker_.routes()->config().timeouts;
      idle_ = true;
      // A new connection must start its request within the header timeout; an idle keep-alive
      // connection may wait longer for its next one.
      stream_.expires_after(first ? timeouts.header_read : timeouts.keepalive_idle);
      auto [ec, n] =
          co_await stream_.async_read_some(buffer_.prepare(kFirstReadBytes), use_nothrow);
      idle_ = false;
      if (ec || closed_) break;
      buffer_.commit(n);
    }
    Next next = co_await serve_one();
    if (next == Next::close) break;
    // Give back the relay capacity while the connection waits for its next request.
    if (buffer_.size() == 0) buffer_.shrink_to_fit();
  }
  worker_.remove_session(this);
  if (!closed_) {
    closed_ = true;
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }
}

net::awaitable<DownstreamSession::Next> DownstreamSession::serve_one() {
  RouteDecision decision;
  decision.routes = worker_.routes();
  const auto& config = decision.routes->config();
  req_ = worker_.request_states().take();
  req_->ctx = RequestContext{};
  req_->ctx.client_ip = client_ip_;

  Next next = Next::close;
  bool routed = false;
  // The first bytes of the head are buffered (run); refuse bare-LF heads now rather than wait for
  // a CRLF CRLF such a client never sends.
  if (has_bare_line_feed({static_cast<const char*>(buffer_.data().data()), buffer_.size()})) {
    req_->ctx.failure = FailureKind::client;
    fail(http::status::bad_request,
         "malformed request: a line ends in a bare LF (HTTP/1.1 needs CRLF)");
  } else {
    auto& parser = req_->request_parser.emplace();
    parser.header_limit(static_cast<std::uint32_t>(config.limits.max_header_bytes));
    parser.body_limit(config.limits.max_body_bytes);
    // Nearly always the whole head came with the first read: parse it without a coroutine.
    // (Not `parsed ? *parsed : co_await ...`: GCC 12 runs that co_await whatever the condition.)
    error_code read_ec;
    if (auto parsed = parse_buffered_head(buffer_, parser)) {
      read_ec = *parsed;
    } else {
      read_ec = co_await read_head(stream_, buffer_, parser, config.timeouts.header_read);
    }
    if (auto ends = route_request(read_ec, decision)) {
      next = *ends;
    } else {
      routed = true;
      next = co_await forward(parser, req_->ctx, decision);
    }
  }
  // Every error answer of this request goes out here (the coroutine frames then hold one
  // send_error, not one per failure).
  if (req_->error_reply) {
    co_await send_error(req_->error_reply->status, req_->error_reply->message, req_->ctx,
                        req_->error_reply->keep_alive);
  }
  if (routed) finish(req_->ctx);  // every request that reached a route is counted, however it ended
  worker_.request_states().give_back(std::move(req_));
  co_return next;
}

void DownstreamSession::fail(http::status status, std::string message, bool keep_alive) {
  req_->error_reply.emplace(RequestState::ErrorReply{status, std::move(message), keep_alive});
}

std::optional<DownstreamSession::Next> DownstreamSession::route_request(error_code read_ec,
                                                                        RouteDecision& decision) {
  RequestContext& ctx = req_->ctx;
  const auto& config = decision.routes->config();
  if (read_ec) {
    // A timeout needs no reply: TimedSocket closes the socket when its deadline passes, which
    // is how a slow client is cut off at the header timeout.
    ctx.failure = FailureKind::client;
    if (is_client_gone(read_ec) || read_ec == beast::error::timeout) return Next::close;
    if (read_ec == http::error::header_limit) {
      fail(http::status::request_header_fields_too_large, "request header fields too large");
    } else if (read_ec == http::error::body_limit) {
      fail(http::status::payload_too_large,
           fmt::format("request body larger than {} bytes", config.limits.max_body_bytes));
    } else if (is_http_parse_error(read_ec)) {
      fail(http::status::bad_request, fmt::format("malformed request: {}", read_ec.message()));
    }
    return Next::close;
  }

  auto& parser = *req_->request_parser;
  auto& request = parser.get();
  ctx.method = std::string(request.method_string());
  ctx.path = std::string(routing_path(request.target()));
  // A response sent before the request body was read leaves unread bytes behind: close then.
  const bool body_pending = !parser.is_done();
  if (ctx.path.empty() || ctx.path.front() != '/') {
    if (!(request.method() == http::verb::options && request.target() == "*")) {
      ctx.failure = FailureKind::client;
      fail(http::status::bad_request, "request target must be a path");
      return Next::close;
    }
  }
  if (auto framing = check_request_framing(request); !framing.empty()) {
    ctx.failure = FailureKind::client;
    fail(http::status::bad_request, std::move(framing));
    return Next::close;
  }

  decision.route = decision.routes->match(request[http::field::host], ctx.path);
  if (decision.route == nullptr) {
    ctx.failure = FailureKind::no_route;
    const bool keep_alive = !body_pending && request.keep_alive();
    fail(http::status::not_found, "no route matches this request", keep_alive);
    return keep_alive ? Next::keep_alive : Next::close;
  }
  ctx.route = decision.route->name;
  auto client_ip =
      effective_client_ip(client_ip_, request["X-Forwarded-For"], config.trusted_proxy_networks);
  RequestAttributes attributes(request, ctx.path, client_ip);
  auto choice = state_.chooser->choose(worker_.index(), *decision.route, attributes, next_random(),
                                       worker_.flags());
  decision.target = choice.target;
  ctx.target = choice.target;
  state_.metrics->in_flight(worker_.index(), ctx.route, ctx.target, +1);
  ctx.in_flight_counted = true;
  ctx.upstream = decision.target == Target::new_target ? decision.route->new_upstream
                                                       : decision.route->old_upstream;
  decision.upstream = config.find_upstream(ctx.upstream);
  decision.timeout = decision.route->timeout.value_or(config.timeouts.upstream);
  if (decision.upstream == nullptr) {  // validation makes this unreachable; fail closed anyway
    ctx.failure = FailureKind::no_endpoint;
    fail(http::status::service_unavailable, "route has no upstream");
    return Next::close;
  }
  return std::nullopt;
}

net::awaitable<DownstreamSession::Next> DownstreamSession::forward(RequestParser& parser,
                                                                   RequestContext& ctx,
                                                                   const RouteDecision& decision) {
  const auto& config = decision.routes->config();
  auto& request = parser.get();
  const bool client_keep_alive = request.keep_alive();
  const unsigned client_version = request.version();
  const bool is_head = request.method() == http::verb::head;
  const bool had_body = !parser.is_done();
  const bool retryable = is_idempotent(request.method()) && !had_body;
  const bool wants_continue =
      had_body && beast::iequals(request[http::field::expect], "100-continue");
  // Written once: a retry sends the same head again.
  req_->upstream_head.clear();
  const auto& override_target = decision.route->override_target;
  write_upstream_request_head(
      request,
      {.client_ip = client_ip_,
       .original_host = request[http::field::host],
       .override_header = override_target ? std::string_view(override_target->header) : ""},
      req_->upstream_head);

  const config::UpstreamConfig* upstream = decision.upstream;
  auto pool = worker_.pools().get(*upstream);
  bool fell_back_to_old = false;
  std::unique_ptr<UpstreamConnection> conn;
  auto& response = req_->response_parser;
  response.reset();

  // At most two attempts. A second one only for GET/HEAD/OPTIONS without a body, after a connect
  // failure (on the next endpoint) or a reused keep-alive socket that failed before any response
  // byte: nothing is retried once bytes of a request that is not idempotent were sent.
  for (int attempt = 0;; ++attempt) {
    const bool may_retry = retryable && attempt == 0;
    std::size_t endpoint = pool->pick_endpoint();
    UpstreamPool::Acquired acquired{pool->take_idle(endpoint), true, FailureKind::none, {}};
    if (!acquired.conn) acquired = co_await pool->acquire(endpoint);
    ctx.endpoint = pool->endpoint_name(endpoint);
    if (!acquired.conn) {
      if (may_retry && acquired.failure != FailureKind::no_endpoint) {
        ctx.retried = true;
        continue;
      }
      // New cannot be reached (down, restarting): nothing was sent, so any method can safely go
      // to old instead of failing. The failed connect still counts against new.
      const bool connect_failed =
          acquired.failure == FailureKind::connect || acquired.failure == FailureKind::timeout;
      const config::UpstreamConfig* old = ctx.target == Target::new_target && connect_failed
                                              ? config.find_upstream(decision.route->old_upstream)
                                              : nullptr;
      if (old != nullptr && !fell_back_to_old) {
        state_.metrics->count_upstream_error(worker_.index(), ctx.route, ctx.target,
                                             acquired.failure);
        state_.comparison->record_failed_attempt(worker_.index(), ctx.route, ctx.target, ctx.start);
        state_.metrics->in_flight(worker_.index(), ctx.route, ctx.target, -1);
        ctx.target = Target::old_target;
        ctx.upstream = old->name;
        state_.metrics->in_flight(worker_.index(), ctx.route, ctx.target, +1);
        upstream = old;
        pool = worker_.pools().get(*old);
        fell_back_to_old = true;
        attempt = -1;  // old gets the same attempts as if it had been chosen
        continue;
      }
      ctx.failure = acquired.failure;
      const bool keep_alive = client_keep_alive && !had_body;
      fail(status_for(acquired.failure),
           fmt::format("upstream {}: {}", upstream->name, acquired.error), keep_alive);
      co_return keep_alive ? Next::keep_alive : Next::close;
    }
    conn = std::move(acquired.conn);

    if (wants_continue && attempt == 0) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_after(config.timeouts.body_idle);
      auto [ec, n] = co_await net::async_write(stream_, net::buffer(kContinue), use_nothrow);
      if (ec) {
        pool->release(std::move(conn), false);
        ctx.failure = FailureKind::client;
        co_return Next::close;
      }
    }

    // Request head and body.
    error_code upstream_ec;
    {
      const BodyOutput output = parser.chunked() ? BodyOutput::chunked : BodyOutput::plain;
      if (!relay_now(buffer_, parser, conn->stream, req_->upstream_head, output, req_->relay)) {
        co_await relay_rest(stream_, buffer_, parser, conn->stream, req_->upstream_head,
                            config.timeouts.body_idle, req_->relay);
      }
      const RelayResult& sent = req_->relay.result;
      ctx.request_bytes = sent.bytes;
      if (sent.ec && sent.failed_reading) {
        pool->release(std::move(conn), false);
        ctx.failure = FailureKind::client;
        ctx.error = "client stopped sending the request body: " + sent.ec.message();
        if (sent.ec == http::error::buffer_overflow) {
          fail(http::status::bad_request,
               fmt::format("malformed request: a chunk-size line or trailer section longer than "
                           "{} KiB",
                           kMaxPendingFramingBytes / 1024));
        } else if (sent.ec == http::error::body_limit) {
          fail(http::status::payload_too_large,
               fmt::format("request body larger than {} bytes", config.limits.max_body_bytes));
        } else if (is_http_parse_error(sent.ec)) {
          fail(http::status::bad_request, ctx.error);
        }
        co_return Next::close;
      }
      upstream_ec = sent.ec;
    }

    // Response head, skipping interim 1xx responses.
    if (!upstream_ec) {
      for (;;) {
        response.emplace();
        response->body_limit(boost::none);
        response->header_limit(kMaxUpstreamHeaderBytes);
        if (is_head) response->skip(true);
        // The response is not here yet: read once before falling back to read_head's loop.
        error_code ec;
        if (auto parsed = parse_buffered_head(conn->buffer, *response)) {
          ec = *parsed;
        } else {
          conn->stream.expires_after(decision.timeout);
          auto [read_ec, n] = co_await conn->stream.async_read_some(
              conn->buffer.prepare(beast::read_size(conn->buffer, kRelayReadBytes)), use_nothrow);
          if (!read_ec) {
            conn->buffer.commit(n);
            if (auto head = parse_buffered_head(conn->buffer, *response)) {
              ec = *head;
            } else {
              ec = co_await read_head(conn->stream, conn->buffer, *response, decision.timeout);
            }
          } else {
            ec = read_ec == net::error::eof ? head_cut_short(*response) : read_ec;
          }
        }
        upstream_ec = ec;
        if (ec) break;
        auto status = response->get().result_int();
        if (status < 100 || status >= 200) break;
        if (status == 101) {  // Upgrade is stripped on the way up, so this is out of protocol
          upstream_ec = http::error::bad_status;
          break;
        }
      }
    }
    if (!upstream_ec) break;

    const bool fresh_socket_failed = !acquired.reused;
    pool->release(std::move(conn), false);
    if (may_retry && !fresh_socket_failed && upstream_ec != beast::error::timeout) {
      ctx.retried = true;
      continue;
    }
    ctx.failure = classify_upstream_error(upstream_ec);
    ctx.error = ctx.failure == FailureKind::timeout
                    ? fmt::format("upstream {} did not answer within {} ms", upstream->name,
                                  decision.timeout.count())
                    : fmt::format("upstream {} failed: {}", upstream->name, upstream_ec.message());
    fail(status_for(ctx.failure), ctx.error);
    co_return Next::close;
  }

  // Relay the response.
  auto& reply = response->get();
  bool keep_alive = client_keep_alive && !state_.draining.load(std::memory_order_acquire);
  const bool has_body = !response->is_done();
  using Framing = ResponseInfo::Framing;
  Framing framing = Framing::as_is;
  BodyOutput output = reply.chunked() ? BodyOutput::chunked : BodyOutput::plain;
  if (has_body && !reply.has_content_length() && !reply.chunked()) {
    // Close-delimited upstream body: chunk it for HTTP/1.1 clients, close after it otherwise.
    if (client_version >= 11) {
      framing = Framing::add_chunked;
      output = BodyOutput::chunked;
    } else {
      keep_alive = false;
    }
  }
  if (client_version < 11 && reply.chunked()) {
    framing = Framing::drop_chunked;
    output = BodyOutput::plain;
    keep_alive = false;
  }
  // Pin: a client once served by new stays on new while the share goes down (not after a kill).
  const bool pin = ctx.target == Target::new_target && !decision.route->pin_cookie.empty();
  req_->client_head.clear();
  write_client_response_head(
      reply,
      {.route = decision.route->name,
       .target = to_string(ctx.target),
       .ficus_headers = config.ficus_headers,
       .keep_alive = keep_alive,
       .client_version = client_version,
       .framing = framing,
       .pin_cookie = pin ? std::string_view(decision.route->pin_cookie) : std::string_view()},
      req_->client_head);
  ctx.status = reply.result_int();
  if (!relay_now(conn->buffer, *response, stream_, req_->client_head, output, req_->relay)) {
    co_await relay_rest(conn->stream, conn->buffer, *response, stream_, req_->client_head,
                        config.timeouts.body_idle, req_->relay);
  }
  const RelayResult& sent = req_->relay.result;
  ctx.response_bytes = sent.bytes;
  const bool relayed_whole = !sent.ec;
  if (sent.ec) {
    ctx.failure = sent.failed_reading ? classify_upstream_error(sent.ec) : FailureKind::client;
    if (sent.head_sent || sent.failed_reading) {
      ctx.error = fmt::format("response body interrupted: {}", sent.ec.message());
    }
  }
  pool->release(std::move(conn), relayed_whole && response->is_done() && response->keep_alive());
  finish(ctx);
  co_return keep_alive&& relayed_whole ? Next::keep_alive : Next::close;
}

net::awaitable<void> DownstreamSession::send_error(http::status status, std::string_view error,
                                                   RequestContext& ctx, bool keep_alive) {
  ctx.status = static_cast<unsigned>(status);
  if (ctx.error.empty()) ctx.error = std::string(error);
  auto reply =
      make_error_reply(status, error, ctx.route,
                       ctx.target == Target::none ? "" : to_string(ctx.target), 11, keep_alive);
  const auto& config = worker_.routes()->config();
  if (config.ficus_headers && !ctx.route.empty()) {
    reply.set("X-Ficus-Route", ctx.route);
    if (ctx.target != Target::none) reply.set("X-Ficus-Target", to_string(ctx.target));
  }
  stream_.expires_after(config.timeouts.body_idle);
  co_await http::async_write(stream_, reply, use_nothrow);
  finish(ctx);
}

void DownstreamSession::finish(RequestContext& ctx) {
  if (ctx.finished) return;
  ctx.finished = true;
  if (ctx.failure != FailureKind::none && ctx.failure != FailureKind::client &&
      ctx.failure != FailureKind::no_route) {
    spdlog::debug("{} {} route={} target={}: {}", ctx.method, ctx.path, ctx.route,
                  to_string(ctx.target), ctx.error);
  }
  auto end = std::chrono::steady_clock::now();
  if (ctx.in_flight_counted) {
    state_.metrics->in_flight(worker_.index(), ctx.route, ctx.target, -1);
    ctx.in_flight_counted = false;
  }
  state_.metrics->record(worker_.index(), ctx, end);
  state_.comparison->record(worker_.index(), ctx, end);
  state_.access_log.write(ctx);
}

}  // namespace ficus::proxy
