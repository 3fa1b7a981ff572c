#include "proxy/metrics/comparison_window.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "proxy/metrics/latency_buckets.h"
#include "proxy/metrics/published_list.h"

namespace ficus::proxy::metrics {
namespace {

// Slot stamps below any real second: never written, and being cleared for a new second.
constexpr std::int64_t kEmpty = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kReusing = kEmpty + 1;

// Slot counters are stored with release and loaded with acquire (plain moves on x86 and cheap
// elsewhere): a reader that sees any counter value also sees the stamp written before it, which is
// what makes the stamp check in compare() a seqlock without fences (GCC's TSan has no fences).
void release_add(std::atomic<std::uint32_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

struct Slot {
  std::atomic<std::int64_t> second{kEmpty};
  std::atomic<std::uint32_t> errors{0};
  std::array<std::atomic<std::uint32_t>, kWindowBuckets> latency{};
};

struct Ring {
  explicit Ring(std::size_t size) : slots(std::make_unique<Slot[]>(size)) {}
  std::unique_ptr<Slot[]> slots;
};

// Index 0 = old, 1 = new.
struct RouteRings {
  explicit RouteRings(std::string_view name) : route(name) {}
  ~RouteRings() {
    for (auto& ring : rings) delete ring.load(std::memory_order_acquire);
  }
  const std::string route;
  std::array<std::atomic<Ring*>, 2> rings{};
};

bool is_error(const RequestContext& ctx) {
  switch (ctx.failure) {
    case FailureKind::connect:
    case FailureKind::timeout:
    case FailureKind::reset:
    case FailureKind::protocol:
      return true;
    default:
      return ctx.status >= 500;
  }
}

std::int64_t to_second(ComparisonWindow::Clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

struct Totals {
  std::uint64_t errors = 0;
  std::array<std::uint64_t, kWindowBuckets> latency{};
};

TargetStats to_stats(const Totals& t, std::chrono::seconds window) {
  TargetStats s;
  for (std::uint64_t n : t.latency) s.requests += n;
  s.errors = t.errors;
  s.rate_per_s = static_cast<double>(s.requests) / static_cast<double>(window.count());
  if (s.requests > 0) {
    s.error_rate = static_cast<double>(s.errors) / static_cast<double>(s.requests);
    s.p50_s = estimate_quantile(t.latency, 0.50);
    s.p95_s = estimate_quantile(t.latency, 0.95);
    s.p99_s = estimate_quantile(t.latency, 0.99);
  }
  return s;
}

}  // namespace

struct ComparisonWindow::WorkerShard {
  std::unordered_map<std::string_view, RouteRings*> index;  // keys view RouteRings::route
  PublishedList<RouteRings> routes;

  RouteRings& route(std::string_view name) {
    if (auto it = index.find(name); it != index.end()) return *it->second;
    RouteRings& rings = routes.emplace(name);
    index.emplace(rings.route, &rings);
    return rings;
  }
};

ComparisonWindow::ComparisonWindow(std::size_t workers, std::chrono::seconds capacity,
                                   bool recording)
    : capacity_(capacity), recording_(recording) {
  if (workers == 0) throw std::invalid_argument("ComparisonWindow needs at least one worker");
  if (capacity.count() < 1) throw std::invalid_argument("ComparisonWindow capacity must be >= 1 s");
  shards_.reserve(workers);
  for (std::size_t i = 0; i < workers; ++i) shards_.push_back(std::make_unique<WorkerShard>());
}

ComparisonWindow::~ComparisonWindow() = default;

void ComparisonWindow::set_routes(std::vector<std::string> routes) {
  std::lock_guard lock(routes_mutex_);
  routes_ = std::move(routes);
  routes_configured_ = true;
}

std::vector<std::string> ComparisonWindow::routes() const {
  {
    std::lock_guard lock(routes_mutex_);
    if (routes_configured_) return routes_;
  }
  std::vector<std::string> seen;
  for (const auto& shard : shards_) {
    shard->routes.for_each([&](const RouteRings& r) { seen.push_back(r.route); });
  }
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  return seen;
}

void ComparisonWindow::record(std::size_t worker, const RequestContext& ctx,
                              Clock::time_point end) {
  add(worker, ctx.route, ctx.target, end - ctx.start, is_error(ctx), end);
}

void ComparisonWindow::record_failed_attempt(std::size_t worker, std::string_view route,
                                             Target target, Clock::time_point start,
                                             Clock::time_point end) {
  add(worker, route, target, end - start, true, end);
}

void ComparisonWindow::add(std::size_t worker, std::string_view route, Target target,
                           std::chrono::nanoseconds took, bool error, Clock::time_point end) {
  if (!recording_ || target == Target::none || route.empty()) return;
  RouteRings& rings = shards_.at(worker)->route(route);
  std::atomic<Ring*>& ring_slot = rings.rings[target == Target::new_target ? 1 : 0];
  Ring* ring = ring_slot.load(std::memory_order_relaxed);  // only this thread stores it
  const auto size = static_cast<std::size_t>(capacity_.count());
  if (ring == nullptr) {
    ring = new Ring(size);
    ring_slot.store(ring, std::memory_order_release);
  }
  const std::int64_t second = to_second(end);
  const auto capacity = static_cast<std::int64_t>(size);
  Slot& slot = ring->slots[static_cast<std::size_t>((second % capacity + capacity) % capacity)];
  const std::int64_t stamp = slot.second.load(std::memory_order_relaxed);
  if (stamp != second) {
    if (stamp > second) return;  // the slot already holds a later second
    // A seqlock write: readers that saw the old stamp see it change and skip the slot.
    slot.second.store(kReusing, std::memory_order_relaxed);
    slot.errors.store(0, std::memory_order_release);
    for (auto& n : slot.latency) n.store(0, std::memory_order_release);
    slot.second.store(second, std::memory_order_release);
  }
  const auto elapsed = std::max(std::chrono::nanoseconds::zero(), took);
  release_add(slot.latency[window_bucket(elapsed)]);
  if (error) release_add(slot.errors);
}

Comparison ComparisonWindow::compare(std::string_view route, std::chrono::seconds window,
                                     const VerdictRule& rule, Clock::time_point now) const {
  if (window.count() < 1 || window > capacity_) {
    throw std::invalid_argument("window must be between 1 and " +
                                std::to_string(capacity_.count()) + " seconds");
  }
  const std::int64_t last = to_second(now);
  const std::int64_t first = last - window.count() + 1;
  const auto capacity = capacity_.count();
  std::array<Totals, 2> totals;
  for (const auto& shard : shards_) {
    shard->routes.for_each([&](const RouteRings& rings) {
      if (rings.route != route) return;
      for (std::size_t t = 0; t < 2; ++t) {
        const Ring* ring = rings.rings[t].load(std::memory_order_acquire);
        if (ring == nullptr) continue;
        for (std::int64_t second = first; second <= last; ++second) {
          const Slot& slot =
              ring->slots[static_cast<std::size_t>((second % capacity + capacity) % capacity)];
          if (slot.second.load(std::memory_order_acquire) != second) continue;
          Totals read;
          read.errors = slot.errors.load(std::memory_order_acquire);
          for (std::size_t b = 0; b < kWindowBuckets; ++b) {
            read.latency[b] = slot.latency[b].load(std::memory_order_acquire);
          }
          if (slot.second.load(std::memory_order_relaxed) != second) continue;  // reused meanwhile
          totals[t].errors += read.errors;
          for (std::size_t b = 0; b < kWindowBuckets; ++b) totals[t].latency[b] += read.latency[b];
        }
      }
    });
  }
  Comparison c;
  c.route = std::string(route);
  c.window = window;
  c.rule = rule;
  c.old_target = to_stats(totals[0], window);
  c.new_target = to_stats(totals[1], window);
  judge(c);
  return c;
}

}  // namespace ficus::proxy::metrics
