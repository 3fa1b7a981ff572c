// ProxyMetrics: every Prometheus metric Ficus exports, built once at startup (Envoy's
// ALL_ROUTER_STATS idea), and the scrape that renders them for GET /metrics.
//
// Per-request metrics are sharded by worker: each worker thread writes only its own cells (plain
// relaxed atomics, no lock, no shared cache line), and scrape() adds the shards up. Cells for a
// route are created the first time a worker sees the route name and then found through that
// worker's own hash map, so no label lookup ever takes a lock on the request path. Control-plane
// metrics (shares, reloads, build info) are ordinary prometheus-cpp families: they change rarely,
// from the control thread.
//
//   ProxyMetrics metrics(/*workers=*/4, "0.1.0");
//   metrics.set_routes({{"orders", true}, {"default", false}});        // startup and every reload
//   metrics.in_flight(worker, "orders", Target::new_target, +1);       // request starts
//   metrics.record(worker, ctx);                                       // in finish(ctx)
//   metrics.in_flight(worker, "orders", Target::new_target, -1);
//   std::string text = metrics.scrape();                               // admin thread
//
// Worker indexes are 0 .. workers-1, and each index is used by one thread at a time.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include "proxy/request_context.h"

namespace ficus::proxy::metrics {

// The route label for requests that matched no route (route names cannot contain parentheses).
inline constexpr std::string_view kNoRouteLabel = "(none)";

// Every metric family name ProxyMetrics exports, for docs and the dashboard/rules check.
inline constexpr std::array<std::string_view, 11> kMetricNames = {
    "ficus_requests_total",
    "ficus_request_duration_seconds",
    "ficus_upstream_errors_total",
    "ficus_requests_in_flight",
    "ficus_route_new_share",
    "ficus_route_killed",
    "ficus_flag_evaluations_total",
    "ficus_flags_generation",
    "ficus_flags_reload_errors_total",
    "ficus_config_reloads_total",
    "ficus_build_info",
};

// One configured route: its name and whether it has a `new` target.
struct RouteInfo {
  std::string name;
  bool has_new = false;
};

class ProxyMetrics {
 public:
  // `workers` shards are made up front; `version` is the ficus_build_info label. With
  // `record_requests` false (config "metrics": {"enabled": false}) the request-path calls below
  // return at once: the per-request families are exported empty, control-plane ones as usual.
  ProxyMetrics(std::size_t workers, std::string_view version, bool record_requests = true);
  ~ProxyMetrics();
  ProxyMetrics(const ProxyMetrics&) = delete;
  ProxyMetrics& operator=(const ProxyMetrics&) = delete;

  std::size_t workers() const { return shards_.size(); }
  bool records_requests() const { return record_requests_; }

  // Control thread, at startup and after each reload. Configured routes get zero-valued duration
  // and in-flight series (so rate() and dashboards work before the first request) and share /
  // killed gauges; a route that left the config loses its gauges. Counters of a route that left
  // are kept: Prometheus counters must not go backwards, and the route may come back.
  void set_routes(std::span<const RouteInfo> routes);

  // --- Request path (worker threads) ---

  // Counts one finished request: ficus_requests_total, ficus_request_duration_seconds
  // (end - ctx.start) and, for connect/timeout/reset/protocol failures,
  // ficus_upstream_errors_total. A route name not seen before (e.g. a request that began before a
  // reload) simply gets cells.
  void record(std::size_t worker, const RequestContext& ctx,
              std::chrono::steady_clock::time_point end = std::chrono::steady_clock::now());

  // ficus_requests_in_flight: +1 when a request is sent to a target, -1 when it is finished. The
  // +1 and -1 may come from different workers; the sum is what is exported.
  void in_flight(std::size_t worker, std::string_view route, Target target, int delta);

  // ficus_upstream_errors_total for an attempt that failed without ending the request (a connect
  // to new refused, the request then served by old); record() counts the ones that did.
  void count_upstream_error(std::size_t worker, std::string_view route, Target target,
                            FailureKind kind);

  // ficus_flag_evaluations_total. `reason` as in OFREP (flags::to_string(Reason)). Each worker
  // keeps at most kMaxFlagSeriesPerWorker label sets; later new ones count as flag="(other)", so
  // evaluations of client-chosen flag keys cannot grow memory without bound.
  void record_flag_evaluation(std::size_t worker, std::string_view flag, std::string_view variant,
                              std::string_view reason);
  static constexpr std::size_t kMaxFlagSeriesPerWorker = 1000;

  // --- Control thread ---

  void set_route_share(std::string_view route, double share);  // 0..1
  void set_route_killed(std::string_view route, bool killed);
  void set_flags_generation(std::uint64_t generation);
  void count_flags_reload_error();
  void count_config_reload(bool success);  // result="success" | "failure"

  // Any thread: the Prometheus text exposition format (version 0.0.4).
  std::string scrape() const;
  // The registry scrape() includes, for control-plane gauges defined elsewhere (the cutover
  // engine).
  prometheus::Registry& registry() { return registry_; }

 private:
  struct WorkerShard;

  WorkerShard& shard(std::size_t worker);

  // The sharded families and the per-route gauges (scrape() adds the registry's own families).
  std::vector<prometheus::MetricFamily> collect_shards() const;

  std::vector<std::unique_ptr<WorkerShard>> shards_;
  const bool record_requests_;

  // Control-plane state. The per-route gauges are kept here rather than as prometheus-cpp
  // families so that, like the sharded families, they are exported (with HELP and TYPE) even
  // before any route exists, and a reload can replace the route set in one step.
  mutable std::mutex control_mutex_;
  std::vector<RouteInfo> routes_;
  std::map<std::string, double, std::less<>> new_share_;
  std::map<std::string, double, std::less<>> killed_;

  // Fixed label sets: prometheus-cpp metrics, added once here and never looked up again.
  prometheus::Registry registry_;
  prometheus::Gauge& flags_generation_;
  prometheus::Counter& flags_reload_errors_;
  prometheus::Counter& config_reloads_success_;
  prometheus::Counter& config_reloads_failure_;
  prometheus::Gauge& build_info_;
};

}  // namespace ficus::proxy::metrics
