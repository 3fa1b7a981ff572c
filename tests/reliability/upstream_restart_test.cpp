// The new upstream dies under load and comes back. Only requests that were in flight on it when it
// died may fail (502, counted in ficus_upstream_errors_total by kind); requests that arrive while
// it is down are sent to old (a refused connect sent nothing, so even a POST may go elsewhere);
// once it listens again, routing to new resumes within 1 s.
#include <fstream>
#include <thread>

#include "tests/integration/proxy/proxy_fixture.h"
#include "tests/reliability/reliability_support.h"

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(ProxyTest, NewUpstreamKilledAndRestartedFailsOnlyRequestsInFlightOnIt) {
  const int restarts = scaled(3, 1);
  old_upstream_->set_recording(false);
  new_upstream_->set_recording(false);
  auto dir = make_temp_dir();
  std::ofstream(dir / "flags.json") << R"({"flags": {"slow-cutover": {
      "state": "ENABLED", "variants": {"old": "old", "new": "new"}, "defaultVariant": "new"}}})";
  auto config = base_config();
  config["flags"] = {{"sources", {"file:" + (dir / "flags.json").string()}}};
  config["routes"].push_back({{"name", "slow"},
                              {"match", {{"path_prefix", "/delay"}}},
                              {"old", "legacy"},
                              {"new", "modern"},
                              {"flag", "slow-cutover"},
                              {"timeout_ms", 2000}});
  ProxyProcess proxy(config);

  // Requests take 20 ms at the upstream, so each connection nearly always has one in flight.
  LoadGenerator load({.port = proxy.port(),
                      .connections = 8,
                      .target = [](unsigned, std::uint64_t) { return std::string("/delay?ms=20"); },
                      .methods = {"GET", "POST"}});
  const auto origin = LoadClock::now();
  load.start();
  struct Outage {
    LoadClock::time_point killing, killed, restarting, restarted;
  };
  std::vector<Outage> outages;
  for (int i = 0; i < restarts; ++i) {
    std::this_thread::sleep_for(700ms);
    Outage outage;
    outage.killing = LoadClock::now();
    new_upstream_->stop();  // closes the listener and every connection, mid-request included
    outage.killed = LoadClock::now();
    std::this_thread::sleep_for(800ms);
    outage.restarting = LoadClock::now();
    new_upstream_->start();  // same port
    outage.restarted = LoadClock::now();
    outages.push_back(outage);
  }
  std::this_thread::sleep_for(1500ms);
  auto samples = load.stop();
  auto summary = summarize(samples, load.elapsed());

  constexpr auto kRecovery = 1s;
  std::uint64_t failed = 0, failed_not_in_flight = 0, served_by_old_while_down = 0,
                old_after_recovery = 0;
  double worst_recovery_ms = 0;
  std::string problems;
  auto note = [&](const LoadSample& sample, const std::string& why) {
    if (problems.size() < 3000) problems += why + ": " + describe(sample, origin) + "\n";
  };
  for (const auto& outage : outages) {
    LoadClock::time_point first_new = LoadClock::time_point::max();
    for (const auto& sample : samples) {
      if (sample.sent >= outage.restarted && sample.upstream_name == "new") {
        first_new = std::min(first_new, sample.received);
      }
    }
    worst_recovery_ms = std::max(worst_recovery_ms, ms_between(outage.restarted, first_new));
  }
  for (const auto& sample : samples) {
    bool in_flight_at_kill = false, sent_while_down = false, after_recovery = false;
    for (const auto& outage : outages) {
      in_flight_at_kill |= sample.sent <= outage.killed && sample.received >= outage.killing;
      sent_while_down |= sample.sent > outage.killed && sample.sent < outage.restarting;
      after_recovery |= sample.sent >= outage.restarted + kRecovery;
    }
    bool before_next_outage = true;
    for (const auto& outage : outages) {
      if (sample.sent >= outage.restarted + kRecovery) continue;
      if (sample.received >= outage.killing) before_next_outage = false;
    }
    if (sample.status != 200) {
      ++failed;
      if (!in_flight_at_kill || sample.status == 0) {
        ++failed_not_in_flight;
        note(sample, "failed although not in flight on new when it died");
      }
      continue;
    }
    if (sample.upstream_name != sample.ficus_target) {
      ++failed_not_in_flight;
      note(sample, "X-Ficus-Target differs from the upstream that answered");
    }
    if (sent_while_down && sample.upstream_name == "old") ++served_by_old_while_down;
    if (after_recovery && before_next_outage && sample.upstream_name != "new") {
      ++old_after_recovery;
      note(sample, "not routed to new 1 s after it came back");
    }
  }
  auto scrape = scrape_metrics(proxy);
  auto errors = [&](const char* kind) {
    return std::max(0.0, metric_value(scrape, "ficus_upstream_errors_total",
                                      {R"(route="slow")", R"(target="new")",
                                       std::string("kind=\"") + kind + "\""}));
  };
  const double mid_request_errors = errors("reset") + errors("protocol") + errors("timeout");
  Figures("new_upstream_killed_and_restarted")
      .add_summary(summary)
      .add("restarts", restarts)
      .add("failed_in_flight", failed - failed_not_in_flight)
      .add("failed_otherwise", failed_not_in_flight)
      .add("served_by_old_while_down", served_by_old_while_down)
      .add("errors_reset", errors("reset"))
      .add("errors_protocol", errors("protocol"))
      .add("errors_connect", errors("connect"))
      .add("recovery_max_ms", worst_recovery_ms)
      .print();

  EXPECT_EQ(failed_not_in_flight, 0u) << problems;
  EXPECT_EQ(old_after_recovery, 0u) << problems;
  EXPECT_LE(failed, 8u * restarts) << "at most one request per client connection is in flight";
  EXPECT_EQ(mid_request_errors, static_cast<double>(failed))
      << "each failed request is counted once, by kind\n"
      << scrape;
  EXPECT_GT(served_by_old_while_down, 20u * restarts) << "load while new was down";
  EXPECT_LE(worst_recovery_ms, 1000.0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ficus::testing
