// UpstreamPool: keep-alive connections to one upstream's endpoints, owned by one worker thread.
//
// Every worker has its own pools (see Worker), so acquiring and releasing a connection never takes
// a lock and never crosses threads. Endpoints are chosen round-robin; an idle connection is reused
// last-in-first-out (the warmest socket). A connection that stays idle (kWatchIdleAfter) gets a
// one-byte peek pending on it, so an upstream that closes it (or sends stray bytes) is noticed
// from the event loop and the connection dropped then, as nginx does, instead of probing every
// socket on reuse. One reused sooner is not checked: an upstream that closes a connection within
// that time makes the request that reuses it fail before any response byte (retried if
// idempotent, else 502), the same race any reuse has with a close in flight.
//
//   auto pool = worker.pools().get(upstream_config);
//   auto got = co_await pool->acquire(pool->pick_endpoint());
//   if (got.conn) { ...use got.conn->stream...; pool->release(std::move(got.conn), reusable); }
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "config/proxy_config.h"
#include "proxy/asio.h"
#include "proxy/request_context.h"
#include "proxy/timed_socket.h"

namespace ficus::proxy {

// How often a worker sweeps its idle upstream connections, and how long one stays idle before it
// is watched. Under load a connection is reused long before that; when the load stops, every idle
// connection is watched within kWatchIdleAfter + kIdleSweepInterval.
inline constexpr std::chrono::milliseconds kIdleSweepInterval{100};
inline constexpr std::chrono::milliseconds kWatchIdleAfter{50};

struct UpstreamConnection {
  explicit UpstreamConnection(const Executor& executor) : stream(executor) {}
  TimedSocket stream;
  beast::flat_buffer buffer;
  std::size_t endpoint = 0;
  std::chrono::steady_clock::time_point idle_since;
  std::uint64_t requests_served = 0;
  char peek_byte = 0;    // where the idle watch's one-byte peek lands (UpstreamPool::watch_idle)
  bool watched = false;  // the peek is pending
};

class UpstreamPool : public std::enable_shared_from_this<UpstreamPool> {
 public:
  UpstreamPool(Executor executor, config::UpstreamConfig config, std::size_t first_endpoint = 0);
  ~UpstreamPool();
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  const config::UpstreamConfig& config() const { return config_; }
  std::size_t endpoint_count() const { return endpoints_.size(); }
  // The next endpoint in round-robin order.
  std::size_t pick_endpoint();
  std::string endpoint_name(std::size_t endpoint) const;

  struct Acquired {
    std::unique_ptr<UpstreamConnection> conn;  // null on failure
    bool reused = false;
    FailureKind failure = FailureKind::none;
    std::string error;
  };
  // An idle connection to `endpoint`, or a new one (bounded by pool.max_connections).
  net::awaitable<Acquired> acquire(std::size_t endpoint);
  // The idle connection acquire() would reuse, or null: no coroutine for the common case.
  std::unique_ptr<UpstreamConnection> take_idle(std::size_t endpoint);
  // Returns a connection; `reusable` only when its last response was read completely and the
  // upstream allowed keep-alive.
  void release(std::unique_ptr<UpstreamConnection> conn, bool reusable);

  // Closes idle connections past pool.idle_timeout and starts watching those idle for
  // kWatchIdleAfter (the watch closes them when the upstream does). The worker calls it every
  // kIdleSweepInterval.
  void sweep_idle(std::chrono::steady_clock::time_point now);

  // True when `other` would build the same pool (then a reload keeps this one and its sockets).
  bool same_settings(const config::UpstreamConfig& other) const;

  std::size_t idle_connections() const;
  std::size_t open_connections() const;

 private:
  struct Endpoint {
    config::HostPort address;
    std::optional<tcp::endpoint> resolved;
    std::vector<std::unique_ptr<UpstreamConnection>> idle;
    std::size_t open = 0;
  };

  net::awaitable<std::optional<tcp::endpoint>> resolve(Endpoint& endpoint, std::string& error);
  void discard(Endpoint& endpoint, std::unique_ptr<UpstreamConnection> conn);
  // Watches an idle connection: on_idle_readable runs if the upstream closes it or writes to it.
  void watch_idle(UpstreamConnection& conn);
  void on_idle_readable(const UpstreamConnection* conn);

  Executor executor_;
  config::UpstreamConfig config_;
  std::vector<Endpoint> endpoints_;
  std::size_t next_ = 0;
};

// A worker's pools, one per upstream name. Not thread-safe: used only on its worker's thread.
class UpstreamPools {
 public:
  // `seed` staggers round-robin between workers, so N workers don't all start on endpoint 0.
  UpstreamPools(Executor executor, std::size_t seed)
      : executor_(std::move(executor)), seed_(seed) {}
  // The pool for this upstream; rebuilt when a reload changed its endpoints or pool settings
  // (requests holding the old pool finish on it; its idle sockets close with it).
  std::shared_ptr<UpstreamPool> get(const config::UpstreamConfig& upstream);
  void sweep_idle(std::chrono::steady_clock::time_point now);
  void clear() { pools_.clear(); }

 private:
  Executor executor_;
  std::size_t seed_;
  std::unordered_map<std::string, std::shared_ptr<UpstreamPool>> pools_;
};

}  // namespace ficus::proxy
