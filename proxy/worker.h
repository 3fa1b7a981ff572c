// Worker: one I/O thread with its own io_context, its own upstream pools and its own sessions.
//
// The listener hands each accepted socket to a worker round-robin; from then on everything that
// connection touches lives on that one thread, so the request path needs no locks and no strands.
// Anything another thread wants from a worker is posted to it (adopt, close_idle_sessions).
#pragma once

#include <optional>
#include <thread>
#include <unordered_set>

#include "config/route_table.h"
#include "config/snapshot.h"
#include "flags/flag_set.h"
#include "proxy/asio.h"
#include "proxy/request_state.h"
#include "proxy/timed_socket.h"
#include "proxy/upstream_pool.h"

namespace ficus::proxy {

struct ProxyState;
class DownstreamSession;

class Worker {
 public:
  Worker(unsigned index, ProxyState& state);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  unsigned index() const { return index_; }
  net::io_context& io() { return io_; }
  ProxyState& state() { return state_; }
  UpstreamPools& pools() { return pools_; }  // worker thread only
  // The live route table and flag set, as this worker sees them (worker thread only). Valid until
  // the next call on this thread; a request that must outlive that copies the shared_ptr.
  const std::shared_ptr<const config::RouteTable>& routes() { return routes_.get(); }
  const flags::FlagSet* flags();  // null when the proxy has no flag store
  RequestStatePool& request_states() { return request_states_; }  // worker thread only

  void start();
  // Stops the event loop (sessions still open are abandoned) and joins the thread.
  void stop();

  // Any thread: serve this connection (its socket already belongs to io()).
  void adopt(Socket socket);
  // Any thread: close every connection waiting for its next request (drain).
  void close_idle_sessions();

  // Worker thread only, called by sessions.
  void add_session(DownstreamSession* session) { sessions_.insert(session); }
  void remove_session(DownstreamSession* session) { sessions_.erase(session); }

 private:
  net::awaitable<void> sweep_idle_upstreams();

  unsigned index_;
  ProxyState& state_;
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  UpstreamPools pools_;
  LocalSnapshot<config::RouteTable> routes_;
  std::optional<LocalSnapshot<flags::FlagSet>> flags_;  // made on first use, on this thread
  RequestStatePool request_states_;
  std::unordered_set<DownstreamSession*> sessions_;
  std::thread thread_;
};

}  // namespace ficus::proxy
