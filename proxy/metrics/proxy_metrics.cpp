#include "proxy/metrics/proxy_metrics.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include <prometheus/text_serializer.h>

#include "proxy/metrics/latency_buckets.h"
#include "proxy/metrics/method_label.h"
#include "proxy/metrics/published_list.h"
#include "proxy/metrics/status_counters.h"

namespace ficus::proxy::metrics {
namespace {

constexpr std::array<std::string_view, 3> kTargetLabels = {"none", "old", "new"};

std::size_t target_index(Target target) {
  switch (target) {
    case Target::old_target:
      return 1;
    case Target::new_target:
      return 2;
    case Target::none:
      break;
  }
  return 0;
}

// ficus_upstream_errors_total{kind}: the failures that are the upstream's doing. client,
// no_endpoint and no_route are not (they show up as status codes in ficus_requests_total).
constexpr std::array<std::string_view, 4> kUpstreamErrorKinds = {"connect", "timeout", "reset",
                                                                 "protocol"};

int upstream_error_index(FailureKind kind) {
  switch (kind) {
    case FailureKind::connect:
      return 0;
    case FailureKind::timeout:
      return 1;
    case FailureKind::reset:
      return 2;
    case FailureKind::protocol:
      return 3;
    default:
      return -1;
  }
}

std::string_view route_label(std::string_view route) {
  return route.empty() ? kNoRouteLabel : route;
}

// One worker's counts for one route and target. Aligned so two workers' cells never share a cache
// line (each is written by one thread only, and false sharing would undo the sharding).
struct alignas(64) TargetCells {
  StatusCounters requests;
  std::array<std::atomic<std::uint64_t>, kDurationBuckets> duration{};  // not cumulative
  std::atomic<std::uint64_t> duration_sum_ns{0};
  std::array<std::atomic<std::uint64_t>, kUpstreamErrorKinds.size()> upstream_errors{};
  std::atomic<std::int64_t> in_flight{0};
};

struct RouteCells {
  explicit RouteCells(std::string_view name) : route(name) {}
  const std::string route;
  std::array<TargetCells, kTargetLabels.size()> targets;
};

struct FlagKey {
  std::string_view flag, variant, reason;
  bool operator==(const FlagKey&) const = default;
};

struct FlagKeyHash {
  std::size_t operator()(const FlagKey& key) const noexcept {
    const std::hash<std::string_view> h;
    return h(key.flag) ^ (h(key.variant) * 31) ^ (h(key.reason) * 961);
  }
};

struct FlagCell {
  FlagCell(std::string_view f, std::string_view v, std::string_view r)
      : flag(f), variant(v), reason(r) {}
  const std::string flag, variant, reason;
  std::atomic<std::uint64_t> count{0};
  FlagKey key() const { return {flag, variant, reason}; }
};

prometheus::ClientMetric::Label label(std::string name, std::string_view value) {
  return {std::move(name), std::string(value)};
}

prometheus::MetricFamily family(std::string_view name, std::string help,
                                prometheus::MetricType type) {
  prometheus::MetricFamily f;
  f.name = std::string(name);
  f.help = std::move(help);
  f.type = type;
  return f;
}

}  // namespace

// What one worker writes. The maps are the worker's private index into its published cells: the
// keys are views of the cells' own strings, so a lookup neither allocates nor locks.
struct ProxyMetrics::WorkerShard {
  std::unordered_map<std::string_view, RouteCells*> route_index;
  PublishedList<RouteCells> routes;
  std::unordered_map<FlagKey, FlagCell*, FlagKeyHash> flag_index;
  PublishedList<FlagCell> flags;

  RouteCells& route(std::string_view name) {
    // A request looks its route up three times (in flight up and down, the record), and the next
    // request is mostly on the same route: remember the last one before hashing.
    if (last_route != nullptr && last_route->route == name) return *last_route;
    if (auto it = route_index.find(name); it != route_index.end()) {
      last_route = it->second;
      return *last_route;
    }
    RouteCells& cells = routes.emplace(name);
    route_index.emplace(cells.route, &cells);
    last_route = &cells;
    return cells;
  }
  RouteCells* last_route = nullptr;

  FlagCell& flag(FlagKey key) {
    if (auto it = flag_index.find(key); it != flag_index.end()) return *it->second;
    if (flag_index.size() >= kMaxFlagSeriesPerWorker) key.flag = "(other)";
    if (auto it = flag_index.find(key); it != flag_index.end()) return *it->second;
    FlagCell& cell = flags.emplace(key.flag, key.variant, key.reason);
    flag_index.emplace(cell.key(), &cell);
    return cell;
  }
};

ProxyMetrics::ProxyMetrics(std::size_t workers, std::string_view version, bool record_requests)
    : record_requests_(record_requests),
      flags_generation_(prometheus::BuildGauge()
                            .Name("ficus_flags_generation")
                            .Help("Generation of the flag set in use; goes up on every reload")
                            .Register(registry_)
                            .Add({})),
      flags_reload_errors_(prometheus::BuildCounter()
                               .Name("ficus_flags_reload_errors_total")
                               .Help("Flag file reloads rejected (the previous flag set stays)")
                               .Register(registry_)
                               .Add({})),
      config_reloads_success_(prometheus::BuildCounter()
                                  .Name("ficus_config_reloads_total")
                                  .Help("Config reloads by result (success|failure)")
                                  .Register(registry_)
                                  .Add({{"result", "success"}})),
      config_reloads_failure_(prometheus::BuildCounter()
                                  .Name("ficus_config_reloads_total")
                                  .Help("Config reloads by result (success|failure)")
                                  .Register(registry_)
                                  .Add({{"result", "failure"}})),
      build_info_(prometheus::BuildGauge()
                      .Name("ficus_build_info")
                      .Help("Always 1; the version label says which Ficus is running")
                      .Register(registry_)
                      .Add({{"version", std::string(version)}})) {
  if (workers == 0) throw std::invalid_argument("ProxyMetrics needs at least one worker");
  shards_.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) shards_.push_back(std::make_unique<WorkerShard>());
  build_info_.Set(1);
}

ProxyMetrics::~ProxyMetrics() = default;

ProxyMetrics::WorkerShard& ProxyMetrics::shard(std::size_t worker) {
  return *shards_.at(worker);
}

void ProxyMetrics::set_routes(std::span<const RouteInfo> routes) {
  std::lock_guard lock(control_mutex_);
  routes_.assign(routes.begin(), routes.end());
  auto keep_configured = [&](std::map<std::string, double, std::less<>>& gauges) {
    std::map<std::string, double, std::less<>> kept;
    for (const RouteInfo& route : routes) {
      auto it = gauges.find(route.name);
      kept[route.name] = it == gauges.end() ? 0.0 : it->second;
    }
    gauges = std::move(kept);
  };
  keep_configured(new_share_);
  keep_configured(killed_);
}

void ProxyMetrics::record(std::size_t worker, const RequestContext& ctx,
                          std::chrono::steady_clock::time_point end) {
  if (!record_requests_) return;
  TargetCells& cells =
      shard(worker).route(route_label(ctx.route)).targets[target_index(ctx.target)];
  cells.requests.add(method_index(ctx.method), ctx.status);
  const auto elapsed = std::max(std::chrono::nanoseconds::zero(), end - ctx.start);
  single_writer_add(cells.duration[duration_bucket(elapsed)], std::uint64_t{1});
  single_writer_add(cells.duration_sum_ns, static_cast<std::uint64_t>(elapsed.count()));
  if (const int kind = upstream_error_index(ctx.failure); kind >= 0) {
    single_writer_add(cells.upstream_errors[static_cast<std::size_t>(kind)], std::uint64_t{1});
  }
}

void ProxyMetrics::count_upstream_error(std::size_t worker, std::string_view route, Target target,
                                        FailureKind kind) {
  if (!record_requests_) return;
  if (const int index = upstream_error_index(kind); index >= 0) {
    TargetCells& cells = shard(worker).route(route_label(route)).targets[target_index(target)];
    single_writer_add(cells.upstream_errors[static_cast<std::size_t>(index)], std::uint64_t{1});
  }
}

void ProxyMetrics::in_flight(std::size_t worker, std::string_view route, Target target, int delta) {
  if (!record_requests_) return;
  single_writer_add(shard(worker).route(route_label(route)).targets[target_index(target)].in_flight,
                    std::int64_t{delta});
}

void ProxyMetrics::record_flag_evaluation(std::size_t worker, std::string_view flag,
                                          std::string_view variant, std::string_view reason) {
  if (!record_requests_) return;
  single_writer_add(shard(worker).flag({flag, variant, reason}).count, std::uint64_t{1});
}

void ProxyMetrics::set_route_share(std::string_view route, double share) {
  std::lock_guard lock(control_mutex_);
  new_share_.insert_or_assign(std::string(route), std::clamp(share, 0.0, 1.0));
}

void ProxyMetrics::set_route_killed(std::string_view route, bool killed) {
  std::lock_guard lock(control_mutex_);
  killed_.insert_or_assign(std::string(route), killed ? 1.0 : 0.0);
}

void ProxyMetrics::set_flags_generation(std::uint64_t generation) {
  flags_generation_.Set(static_cast<double>(generation));
}

void ProxyMetrics::count_flags_reload_error() {
  flags_reload_errors_.Increment();
}

void ProxyMetrics::count_config_reload(bool success) {
  (success ? config_reloads_success_ : config_reloads_failure_).Increment();
}

std::vector<prometheus::MetricFamily> ProxyMetrics::collect_shards() const {
  using Series = std::pair<std::string, std::size_t>;  // route, target index
  struct Duration {
    std::array<std::uint64_t, kDurationBuckets> buckets{};
    std::uint64_t sum_ns = 0;
  };
  std::map<std::tuple<std::string, std::size_t, std::size_t, unsigned>, std::uint64_t> requests;
  std::map<Series, Duration> durations;
  std::map<std::tuple<std::string, std::size_t, std::size_t>, std::uint64_t> errors;
  std::map<Series, std::int64_t> in_flight;
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> flags;

  std::vector<prometheus::MetricFamily> out;
  {
    std::lock_guard lock(control_mutex_);
    auto gauges = [&](std::string_view name, std::string help,
                      const std::map<std::string, double, std::less<>>& values) {
      auto& f = out.emplace_back(family(name, std::move(help), prometheus::MetricType::Gauge));
      for (const auto& [route, value] : values) {
        auto& m = f.metric.emplace_back();
        m.label = {label("route", route)};
        m.gauge.value = value;
      }
    };
    gauges("ficus_route_new_share", "Configured share of the route's traffic sent to new, 0..1",
           new_share_);
    gauges("ficus_route_killed", "1 while the route's new target is killed (all traffic to old)",
           killed_);
    // Configured routes are exported at zero before their first request.
    for (const RouteInfo& route : routes_) {
      for (std::size_t target = 1; target <= (route.has_new ? 2u : 1u); ++target) {
        durations[{route.name, target}];
        in_flight[{route.name, target}];
      }
    }
  }
  for (const auto& shard : shards_) {
    shard->routes.for_each([&](const RouteCells& route) {
      for (std::size_t t = 0; t < route.targets.size(); ++t) {
        const TargetCells& cells = route.targets[t];
        std::uint64_t seen = 0;
        cells.requests.for_each([&](std::size_t method, unsigned code, std::uint64_t n) {
          requests[{route.route, t, method, code}] += n;
          seen += n;
        });
        const std::int64_t flying = cells.in_flight.load(std::memory_order_relaxed);
        // A target this worker never served (cells exist for every target) adds no series.
        if (seen == 0 && flying == 0 && !durations.contains({route.route, t})) continue;
        Duration& d = durations[{route.route, t}];
        for (std::size_t b = 0; b < kDurationBuckets; ++b) {
          d.buckets[b] += cells.duration[b].load(std::memory_order_relaxed);
        }
        d.sum_ns += cells.duration_sum_ns.load(std::memory_order_relaxed);
        in_flight[{route.route, t}] += flying;
        for (std::size_t k = 0; k < kUpstreamErrorKinds.size(); ++k) {
          if (auto n = cells.upstream_errors[k].load(std::memory_order_relaxed); n > 0) {
            errors[{route.route, t, k}] += n;
          }
        }
      }
    });
    shard->flags.for_each([&](const FlagCell& cell) {
      flags[{cell.flag, cell.variant, cell.reason}] += cell.count.load(std::memory_order_relaxed);
    });
  }

  auto& req = out.emplace_back(family("ficus_requests_total",
                                      "Requests finished, by route, target, method and status code",
                                      prometheus::MetricType::Counter));
  for (const auto& [key, n] : requests) {
    const auto& [route, target, method, code] = key;
    auto& m = req.metric.emplace_back();
    m.label = {label("route", route), label("target", kTargetLabels[target]),
               label("method", kMethodLabels[method]), label("code", std::to_string(code))};
    m.counter.value = static_cast<double>(n);
  }

  auto& dur = out.emplace_back(family("ficus_request_duration_seconds",
                                      "Time from request head received to response finished",
                                      prometheus::MetricType::Histogram));
  for (const auto& [key, d] : durations) {
    auto& m = dur.metric.emplace_back();
    m.label = {label("route", key.first), label("target", kTargetLabels[key.second])};
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b < kDurationBuckets; ++b) {
      cumulative += d.buckets[b];
      m.histogram.bucket.push_back({cumulative, b < kDurationBounds.size()
                                                    ? kDurationBounds[b]
                                                    : std::numeric_limits<double>::infinity()});
    }
    m.histogram.sample_count = cumulative;
    m.histogram.sample_sum = static_cast<double>(d.sum_ns) / 1e9;
  }

  auto& err = out.emplace_back(family("ficus_upstream_errors_total",
                                      "Requests that failed at the upstream, by kind",
                                      prometheus::MetricType::Counter));
  for (const auto& [key, n] : errors) {
    const auto& [route, target, kind] = key;
    auto& m = err.metric.emplace_back();
    m.label = {label("route", route), label("target", kTargetLabels[target]),
               label("kind", kUpstreamErrorKinds[kind])};
    m.counter.value = static_cast<double>(n);
  }

  auto& fly = out.emplace_back(family("ficus_requests_in_flight",
                                      "Requests sent to a target and not yet finished",
                                      prometheus::MetricType::Gauge));
  for (const auto& [key, n] : in_flight) {
    auto& m = fly.metric.emplace_back();
    m.label = {label("route", key.first), label("target", kTargetLabels[key.second])};
    m.gauge.value = static_cast<double>(n);
  }

  auto& flag = out.emplace_back(family("ficus_flag_evaluations_total",
                                       "Feature flag evaluations by flag, variant and reason",
                                       prometheus::MetricType::Counter));
  for (const auto& [key, n] : flags) {
    auto& m = flag.metric.emplace_back();
    m.label = {label("flag", std::get<0>(key)), label("variant", std::get<1>(key)),
               label("reason", std::get<2>(key))};
    m.counter.value = static_cast<double>(n);
  }
  return out;
}

std::string ProxyMetrics::scrape() const {
  std::vector<prometheus::MetricFamily> families = collect_shards();
  for (auto& f : registry_.Collect()) families.push_back(std::move(f));
  std::stable_sort(families.begin(), families.end(),
                   [](const auto& a, const auto& b) { return a.name < b.name; });
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace ficus::proxy::metrics
