// What metrics add to each request: ProxyMetrics::record + ComparisonWindow::record (what
// finish(ctx) calls), on one thread and on two threads recording the same route at once. The
// "Off" case is the same loop without recording, so on - off is the cost per request.
#include <chrono>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "proxy/metrics/comparison_window.h"
#include "proxy/metrics/proxy_metrics.h"

namespace {

using ficus::proxy::RequestContext;
using ficus::proxy::Target;
using ficus::proxy::metrics::ComparisonWindow;
using ficus::proxy::metrics::ProxyMetrics;

constexpr int kMaxThreads = 2;

RequestContext make_request(int i) {
  RequestContext ctx;
  ctx.route = i % 4 == 0 ? "orders" : "catalog-search";
  ctx.target = i % 10 == 0 ? Target::new_target : Target::old_target;
  ctx.method = i % 3 == 0 ? "POST" : "GET";
  ctx.status = i % 50 == 0 ? 503 : 200;
  return ctx;
}

ProxyMetrics& metrics() {
  static ProxyMetrics m(kMaxThreads, "bench");
  return m;
}
ComparisonWindow& window() {
  static ComparisonWindow w(kMaxThreads);
  return w;
}

void BM_RecordOff(benchmark::State& state) {
  RequestContext ctx = make_request(state.thread_index());
  int i = 0;
  for (auto _ : state) {
    ctx.status = ++i % 50 == 0 ? 503 : 200;
    const auto end = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(ctx);
    benchmark::DoNotOptimize(end);
  }
}
BENCHMARK(BM_RecordOff)->Threads(1)->Threads(2)->UseRealTime();

void BM_ProxyMetricsRecord(benchmark::State& state) {
  const auto worker = static_cast<std::size_t>(state.thread_index());
  RequestContext ctx = make_request(state.thread_index());
  int i = 0;
  for (auto _ : state) {
    ctx.status = ++i % 50 == 0 ? 503 : 200;
    metrics().record(worker, ctx, std::chrono::steady_clock::now());
  }
}
BENCHMARK(BM_ProxyMetricsRecord)->Threads(1)->Threads(2)->UseRealTime();

void BM_ComparisonWindowRecord(benchmark::State& state) {
  const auto worker = static_cast<std::size_t>(state.thread_index());
  RequestContext ctx = make_request(state.thread_index());
  int i = 0;
  for (auto _ : state) {
    ctx.status = ++i % 50 == 0 ? 503 : 200;
    window().record(worker, ctx, std::chrono::steady_clock::now());
  }
}
BENCHMARK(BM_ComparisonWindowRecord)->Threads(1)->Threads(2)->UseRealTime();

// Both, as finish(ctx) does, with routes, targets and codes varying per request.
void BM_FinishBoth(benchmark::State& state) {
  const auto worker = static_cast<std::size_t>(state.thread_index());
  std::vector<RequestContext> mix;
  for (int i = 0; i < 64; ++i) mix.push_back(make_request(i));
  std::size_t i = 0;
  for (auto _ : state) {
    const RequestContext& ctx = mix[++i % mix.size()];
    const auto end = std::chrono::steady_clock::now();
    metrics().record(worker, ctx, end);
    window().record(worker, ctx, end);
  }
}
BENCHMARK(BM_FinishBoth)->Threads(1)->Threads(2)->UseRealTime();

void BM_Scrape(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(metrics().scrape());
}
BENCHMARK(BM_Scrape);

}  // namespace

BENCHMARK_MAIN();
