// ComparisonWindow: old vs new per route over a sliding window, kept in memory as per-second
// buckets, for GET /admin/compare, `ficus flags status` and the cutover gates.
//
// Each worker writes its own rings (one per route and target, allocated on the route's first
// request): per second, an error count and a latency histogram of kWindowBuckets log-spaced
// buckets (request count = sum of the buckets). Writes are plain relaxed atomics on memory no
// other thread writes, so recording takes no lock and shares no cache line between workers.
// compare() adds up every worker's seconds inside the window; a slot being reused for a new second
// while it is read is detected (its stamp changes) and skipped.
//
// Memory: capacity * (kWindowBuckets + 2) * 4 bytes per worker, route and target that saw
// traffic: 155 KiB for the default 15 minutes.
//
//   ComparisonWindow window(/*workers=*/4);
//   window.set_routes({"orders", "default"});
//   window.record(worker, ctx);                                  // in finish(ctx)
//   Comparison c = window.compare("orders", std::chrono::seconds(300), VerdictRule{},
//                                 std::chrono::steady_clock::now());
//
// Times are std::chrono::steady_clock, the clock RequestContext::start uses; passing them in
// keeps tests deterministic.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "proxy/metrics/comparison.h"
#include "proxy/request_context.h"

namespace ficus::proxy::metrics {

class ComparisonWindow {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kDefaultWindow{300};
  static constexpr std::chrono::seconds kDefaultCapacity{900};

  // `capacity` is the longest window compare() accepts. With `recording` false (config
  // "metrics": {"enabled": false}) record() does nothing and the admin endpoint says so.
  explicit ComparisonWindow(std::size_t workers, std::chrono::seconds capacity = kDefaultCapacity,
                            bool recording = true);
  ~ComparisonWindow();
  ComparisonWindow(const ComparisonWindow&) = delete;
  ComparisonWindow& operator=(const ComparisonWindow&) = delete;

  std::chrono::seconds capacity() const { return capacity_; }
  bool recording() const { return recording_; }

  // Control thread: the routes compare() reports on (startup and every reload).
  void set_routes(std::vector<std::string> routes);
  // The configured routes; before set_routes(), every route recorded so far.
  std::vector<std::string> routes() const;

  // Worker thread. Counts the request in the second `end` falls in, for its route and target;
  // requests without a target (no route matched) are not compared and are ignored. A request
  // ending in a second that has already left the ring is dropped.
  void record(std::size_t worker, const RequestContext& ctx, Clock::time_point end = Clock::now());

  // Worker thread. One attempt on `target` that failed before the request was sent (new could
  // not be reached, so the request went to old instead): counted as an error of `target`, so
  // a new that is down is judged worse, not merely quiet.
  void record_failed_attempt(std::size_t worker, std::string_view route, Target target,
                             Clock::time_point start, Clock::time_point end = Clock::now());

  // Any thread: the seconds (now - window, now] for `route`, judged by `rule`. `window` must be
  // 1 s .. capacity() (std::invalid_argument otherwise). A route with no traffic yields zeros and
  // insufficient-data.
  Comparison compare(std::string_view route, std::chrono::seconds window, const VerdictRule& rule,
                     Clock::time_point now) const;

 private:
  struct WorkerShard;

  void add(std::size_t worker, std::string_view route, Target target, std::chrono::nanoseconds took,
           bool error, Clock::time_point end);

  std::chrono::seconds capacity_;
  bool recording_;
  std::vector<std::unique_ptr<WorkerShard>> shards_;
  mutable std::mutex routes_mutex_;
  std::vector<std::string> routes_;
  bool routes_configured_ = false;
};

}  // namespace ficus::proxy::metrics
