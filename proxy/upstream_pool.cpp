#include "proxy/upstream_pool.h"

#include <fmt/format.h>

namespace ficus::proxy {

UpstreamPool::UpstreamPool(Executor executor, config::UpstreamConfig config,
                           std::size_t first_endpoint)
    : executor_(std::move(executor)), config_(std::move(config)), next_(first_endpoint) {
  endpoints_.reserve(config_.endpoints.size());
  for (const auto& address : config_.endpoints) {
    Endpoint endpoint{.address = address, .resolved = std::nullopt, .idle = {}, .open = 0};
    error_code ec;
    auto ip = net::ip::make_address(address.host, ec);
    if (!ec) endpoint.resolved = tcp::endpoint(ip, address.port);
    endpoints_.push_back(std::move(endpoint));
  }
}

UpstreamPool::~UpstreamPool() = default;

std::size_t UpstreamPool::pick_endpoint() {
  std::size_t chosen = next_ % endpoints_.size();
  next_ = chosen + 1;
  return chosen;
}

std::string UpstreamPool::endpoint_name(std::size_t endpoint) const {
  return endpoints_.at(endpoint).address.to_string();
}

net::awaitable<std::optional<tcp::endpoint>> UpstreamPool::resolve(Endpoint& endpoint,
                                                                   std::string& error) {
  if (endpoint.resolved) co_return endpoint.resolved;
  tcp::resolver resolver(executor_);
  auto [ec, results] = co_await resolver.async_resolve(
      endpoint.address.host, std::to_string(endpoint.address.port), use_nothrow);
  if (ec || results.empty()) {
    error = fmt::format("cannot resolve {}: {}", endpoint.address.host,
                        ec ? ec.message() : "no addresses");
    co_return std::nullopt;
  }
  // Names are resolved once per pool; a reload builds a new pool and resolves again.
  endpoint.resolved = results.begin()->endpoint();
  co_return endpoint.resolved;
}

std::unique_ptr<UpstreamConnection> UpstreamPool::take_idle(std::size_t index) {
  Endpoint& endpoint = endpoints_.at(index);
  auto now = std::chrono::steady_clock::now();
  while (!endpoint.idle.empty()) {
    auto conn = std::move(endpoint.idle.back());
    endpoint.idle.pop_back();
    if (now - conn->idle_since < config_.pool.idle_timeout) {
      if (conn->watched) {
        // Ends the idle peek; its handler sees operation_aborted and leaves the socket alone.
        error_code ignored;
        conn->stream.socket().cancel(ignored);
        conn->watched = false;
      }
      return conn;
    }
    discard(endpoint, std::move(conn));
  }
  return nullptr;
}

net::awaitable<UpstreamPool::Acquired> UpstreamPool::acquire(std::size_t index) {
  if (auto conn = take_idle(index))
    co_return Acquired{std::move(conn), true, FailureKind::none, {}};
  Endpoint& endpoint = endpoints_.at(index);
  if (endpoint.open >= config_.pool.max_connections) {
    co_return Acquired{nullptr, false, FailureKind::no_endpoint,
                       fmt::format("upstream {}: all {} connections to {} are busy", config_.name,
                                   config_.pool.max_connections, endpoint.address.to_string())};
  }

  ++endpoint.open;
  std::string error;
  auto address = co_await resolve(endpoint, error);
  if (!address) {
    --endpoint.open;
    co_return Acquired{nullptr, false, FailureKind::connect, error};
  }
  auto conn = std::make_unique<UpstreamConnection>(executor_);
  conn->endpoint = index;
  conn->stream.expires_after(config_.connect_timeout);
  auto [ec] = co_await conn->stream.async_connect(*address, use_nothrow);
  if (ec) {
    --endpoint.open;
    bool timed_out = ec == beast::error::timeout;
    co_return Acquired{nullptr, false, timed_out ? FailureKind::timeout : FailureKind::connect,
                       fmt::format("connect to {} failed: {}", endpoint.address.to_string(),
                                   timed_out ? "timed out" : ec.message())};
  }
  conn->stream.socket().set_option(tcp::no_delay(true), ec);
  co_return Acquired{std::move(conn), false, FailureKind::none, {}};
}

void UpstreamPool::discard(Endpoint& endpoint, std::unique_ptr<UpstreamConnection> conn) {
  error_code ignored;
  conn->stream.socket().close(ignored);
  if (endpoint.open > 0) --endpoint.open;
}

void UpstreamPool::release(std::unique_ptr<UpstreamConnection> conn, bool reusable) {
  if (!conn) return;
  Endpoint& endpoint = endpoints_.at(conn->endpoint);
  if (!reusable || endpoint.idle.size() >= config_.pool.max_idle) {
    discard(endpoint, std::move(conn));
    return;
  }
  conn->stream.expires_never();
  conn->idle_since = std::chrono::steady_clock::now();
  ++conn->requests_served;
  // Leftover bytes would belong to no request: such a connection is out of step.
  if (conn->buffer.size() != 0) {
    discard(endpoint, std::move(conn));
    return;
  }
  // Watched only once it has stayed idle a while (sweep_idle): under load a
  // connection is taken again within microseconds, and a peek started now would cost a failed
  // syscall per request.
  endpoint.idle.push_back(std::move(conn));
}

void UpstreamPool::watch_idle(UpstreamConnection& conn) {
  // A one-byte peek stays pending while the connection is idle; it completes only when the
  // upstream closes the socket or writes to it unasked, and either way the connection is out of
  // use. Asio tries the peek once at once (a failed recv), and an async_wait would cost an
  // epoll_ctl: that is why only connections idle for kWatchIdleAfter get one.
  // The pool may be replaced by a reload while the peek is pending (its sockets then close and the
  // peek is aborted), and a completion can already be queued when the connection is taken or
  // closed: the handler holds only a weak reference and looks the connection up by address.
  conn.watched = true;
  conn.stream.socket().async_receive(
      net::buffer(&conn.peek_byte, 1), tcp::socket::message_peek,
      [weak = weak_from_this(), raw = &conn](const error_code& ec, std::size_t) {
        if (ec == net::error::operation_aborted) return;
        if (auto pool = weak.lock()) pool->on_idle_readable(raw);
      });
}

void UpstreamPool::on_idle_readable(const UpstreamConnection* conn) {
  for (auto& endpoint : endpoints_) {
    auto& idle = endpoint.idle;
    for (std::size_t i = 0; i < idle.size(); ++i) {
      if (idle[i].get() != conn) continue;
      discard(endpoint, std::move(idle[i]));  // closed by the upstream, or out of step
      idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
}

void UpstreamPool::sweep_idle(std::chrono::steady_clock::time_point now) {
  for (auto& endpoint : endpoints_) {
    auto& idle = endpoint.idle;
    for (std::size_t i = 0; i < idle.size();) {
      // Sockets the upstream closed while watched are gone already; this ages out the rest and
      // starts watching those that have stayed idle long enough.
      auto idle_for = now - idle[i]->idle_since;
      if (idle_for >= config_.pool.idle_timeout) {
        discard(endpoint, std::move(idle[i]));
        idle.erase(idle.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      if (!idle[i]->watched && idle_for >= kWatchIdleAfter) watch_idle(*idle[i]);
      ++i;
    }
  }
}

bool UpstreamPool::same_settings(const config::UpstreamConfig& other) const {
  return other.endpoints == config_.endpoints && other.pool.max_idle == config_.pool.max_idle &&
         other.pool.max_connections == config_.pool.max_connections &&
         other.pool.idle_timeout == config_.pool.idle_timeout &&
         other.connect_timeout == config_.connect_timeout;
}

std::size_t UpstreamPool::idle_connections() const {
  std::size_t total = 0;
  for (const auto& endpoint : endpoints_) total += endpoint.idle.size();
  return total;
}

std::size_t UpstreamPool::open_connections() const {
  std::size_t total = 0;
  for (const auto& endpoint : endpoints_) total += endpoint.open;
  return total;
}

std::shared_ptr<UpstreamPool> UpstreamPools::get(const config::UpstreamConfig& upstream) {
  auto& slot = pools_[upstream.name];
  if (!slot || !slot->same_settings(upstream)) {
    slot = std::make_shared<UpstreamPool>(executor_, upstream, seed_);
  }
  return slot;
}

void UpstreamPools::sweep_idle(std::chrono::steady_clock::time_point now) {
  for (auto& [name, pool] : pools_) pool->sweep_idle(now);
}

}  // namespace ficus::proxy
