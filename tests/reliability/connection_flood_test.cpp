// 10,000 connections opened and dropped and 500 clients sending their headers a byte at a time,
// while normal clients keep their p99 under 50 ms; the slow clients are cut at the header timeout.
//
// Normal clients are paced (each connection sends every 10 ms) rather than flat out: a closed loop
// on a 2-core machine measures how long the CPU queue is, not how the proxy treats a client. The
// p99 before the flood is measured and printed too, so a slow machine shows up as a slow baseline.
// This test needs the CPU to itself (ctest RUN_SERIAL).
#include <future>
#include <thread>

#include "tests/integration/proxy/proxy_fixture.h"
#include "tests/reliability/reliability_support.h"
#include "tests/support/load/connection_churn.h"
#include "tests/support/load/slow_header_clients.h"

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kHeaderTimeoutMs = 1000;
constexpr double kP99BoundMs = 50;

TEST_F(ProxyTest, ConnectionFloodAndSlowHeadersLeaveNormalClientsFast) {
  raise_open_file_limit();
  old_upstream_->set_recording(false);
  const std::size_t churn = scaled(10000, 1000);
  const unsigned slow_clients = scaled(500, 50);
  auto config = base_config();
  config["timeouts"] = {{"header_read_ms", kHeaderTimeoutMs}};
  ProxyProcess proxy(config);

  LoadOptions normal{.port = proxy.port(),
                     .connections = 8,
                     .target = [](unsigned, std::uint64_t) { return std::string("/orders"); },
                     .interval = 10ms};
  // Baseline: the same clients with nothing else going on.
  LoadGenerator before(normal);
  before.start();
  std::this_thread::sleep_for(1500ms);
  auto baseline_samples = before.stop();
  auto baseline = summarize(baseline_samples, before.elapsed());

  LoadGenerator load(normal);
  SlowHeaderClients slow({.port = proxy.port(), .clients = slow_clients});
  load.start();
  slow.start();
  std::this_thread::sleep_for(200ms);
  // 5,000 connections a second: a flood, paced so that it measures the proxy's fairness rather
  // than one test thread hogging a core of two.
  auto flood = std::async(std::launch::async, [&] {
    return open_and_drop_connections(proxy.port(), churn, std::chrono::milliseconds(churn / 5));
  });
  auto churned = flood.get();
  // Keep the slow clients at it for at least two header timeouts, so each is cut at least once.
  auto slow_until = LoadClock::now() + std::chrono::milliseconds(2 * kHeaderTimeoutMs + 500);
  std::this_thread::sleep_until(slow_until);
  auto samples = load.stop();
  auto cuts = slow.stop();
  auto summary = summarize(samples, load.elapsed());

  double cut_min_ms = 1e9, cut_max_ms = 0;
  std::size_t answered_slow = 0;
  for (const auto& cut : cuts) {
    cut_min_ms = std::min(cut_min_ms, cut.held_ms());
    cut_max_ms = std::max(cut_max_ms, cut.held_ms());
    if (!cut.received.empty() && !cut.received.starts_with("HTTP/1.1 408")) ++answered_slow;
  }
  std::string problems;
  for (const auto& sample : samples) {
    if (sample.status != 200 && problems.size() < 2000) {
      problems += describe(sample, samples.front().sent) + "\n";
    }
  }
  Figures("connection_flood_and_slow_headers")
      .add_summary(summary)
      .add("baseline_p99_ms", baseline.p99_ms)
      .add("connections_dropped", churned.opened)
      .add("churn_connect_failures", churned.connect_failures)
      .add("churn_seconds", churned.seconds)
      .add("slow_clients", slow_clients)
      .add("slow_cut", cuts.size())
      .add("slow_cut_min_ms", cut_min_ms)
      .add("slow_cut_max_ms", cut_max_ms)
      .add("slow_completed_heads", slow.completed_heads())
      .print();

  EXPECT_EQ(summary.failed, 0u) << problems;
  EXPECT_EQ(churned.connect_failures, 0u);
  EXPECT_EQ(churned.opened, churn);
  EXPECT_GE(cuts.size(), slow_clients) << "every slow client is cut at least once";
  EXPECT_EQ(slow.completed_heads(), 0u) << "a slow client got its whole head in";
  EXPECT_EQ(answered_slow, 0u) << "a slow client got an answer other than 408";
  EXPECT_GE(cut_min_ms, kHeaderTimeoutMs - 20.0) << "cut before the header timeout";
  EXPECT_LE(cut_max_ms, kHeaderTimeoutMs + 1000.0) << "cut long after the header timeout";
  EXPECT_LT(summary.p99_ms, kP99BoundMs) << "baseline p99 was " << baseline.p99_ms << " ms";
  EXPECT_EQ(baseline.failed, 0u);
}

}  // namespace
}  // namespace ficus::testing
