#include "proxy/metrics/proxy_metrics.h"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/unit/metrics/scrape_text.h"

namespace ficus::proxy::metrics {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using testing::ScrapeText;

const auto kT0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);

RequestContext request(std::string route, Target target, std::string method, unsigned status,
                       std::chrono::nanoseconds took = milliseconds(1),
                       FailureKind failure = FailureKind::none) {
  RequestContext ctx;
  ctx.start = kT0 - took;
  ctx.route = std::move(route);
  ctx.target = target;
  ctx.method = std::move(method);
  ctx.status = status;
  ctx.failure = failure;
  return ctx;
}

std::map<std::string, std::string> req(std::string route, std::string target, std::string method,
                                       std::string code) {
  return {{"route", route}, {"target", target}, {"method", method}, {"code", code}};
}

TEST(ProxyMetrics, CountsExactlyPerRouteTargetMethodAndCodeFromTwoWorkerThreads) {
  ProxyMetrics metrics(2, "test");
  auto worker0 = [&] {
    for (int i = 0; i < 1000; ++i)
      metrics.record(0, request("orders", Target::old_target, "GET", 200), kT0);
    for (int i = 0; i < 300; ++i)
      metrics.record(0, request("orders", Target::new_target, "POST", 201), kT0);
  };
  auto worker1 = [&] {
    for (int i = 0; i < 500; ++i)
      metrics.record(1, request("orders", Target::old_target, "GET", 200), kT0);
    for (int i = 0; i < 200; ++i) {
      metrics.record(
          1,
          request("orders", Target::new_target, "GET", 504, milliseconds(15), FailureKind::timeout),
          kT0);
    }
    for (int i = 0; i < 7; ++i)
      metrics.record(1, request("default", Target::old_target, "HEAD", 404), kT0);
  };
  std::thread a(worker0), b(worker1);
  a.join();
  b.join();

  ScrapeText s(metrics.scrape());
  EXPECT_EQ(s.value("ficus_requests_total", req("orders", "old", "GET", "200")), 1500);
  EXPECT_EQ(s.value("ficus_requests_total", req("orders", "new", "POST", "201")), 300);
  EXPECT_EQ(s.value("ficus_requests_total", req("orders", "new", "GET", "504")), 200);
  EXPECT_EQ(s.value("ficus_requests_total", req("default", "old", "HEAD", "404")), 7);
  EXPECT_EQ(s.sum("ficus_requests_total", {}), 2007);
  EXPECT_EQ(s.value("ficus_upstream_errors_total",
                    {{"route", "orders"}, {"target", "new"}, {"kind", "timeout"}}),
            200);
  EXPECT_EQ(s.sum("ficus_upstream_errors_total", {}), 200);
  EXPECT_EQ(
      s.value("ficus_request_duration_seconds_count", {{"route", "orders"}, {"target", "old"}}),
      1500);
  EXPECT_EQ(
      s.value("ficus_request_duration_seconds_count", {{"route", "orders"}, {"target", "new"}}),
      500);
}

TEST(ProxyMetrics, DurationHistogramPutsEachRequestInItsBucket) {
  ProxyMetrics metrics(1, "test");
  for (auto took :
       {microseconds(300), microseconds(700), microseconds(3000), microseconds(20'000'000)}) {
    metrics.record(0, request("orders", Target::new_target, "GET", 200, took), kT0);
  }
  ScrapeText s(metrics.scrape());
  auto bucket = [&](std::string le) {
    return s.find("ficus_request_duration_seconds_bucket",
                  {{"route", "orders"}, {"target", "new"}, {"le", le}});
  };
  EXPECT_EQ(bucket("0.0005"), 1);
  EXPECT_EQ(bucket("0.001"), 2);
  EXPECT_EQ(bucket("0.0025"), 2);
  EXPECT_EQ(bucket("0.005"), 3);
  EXPECT_EQ(bucket("10"), 3);
  EXPECT_EQ(bucket("+Inf"), 4);
  EXPECT_EQ(
      s.value("ficus_request_duration_seconds_count", {{"route", "orders"}, {"target", "new"}}), 4);
  EXPECT_NEAR(
      s.value("ficus_request_duration_seconds_sum", {{"route", "orders"}, {"target", "new"}}),
      20.004, 1e-9);
}

TEST(ProxyMetrics, HistogramHasEveryBoundFromHalfAMillisecondToTenSeconds) {
  ProxyMetrics metrics(1, "test");
  metrics.record(0, request("orders", Target::old_target, "GET", 200), kT0);
  ScrapeText s(metrics.scrape());
  std::vector<std::string> les;
  for (const auto& sample : s.samples()) {
    if (sample.name == "ficus_request_duration_seconds_bucket")
      les.push_back(sample.labels.at("le"));
  }
  EXPECT_EQ(les,
            (std::vector<std::string>{"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
                                      "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"}));
}

TEST(ProxyMetrics, MethodsOutsideTheFixedSetAreCountedAsOther) {
  ProxyMetrics metrics(1, "test");
  for (std::string method : {"PROPFIND", "get", "BREW", "OPTIONS", "PATCH"}) {
    metrics.record(0, request("orders", Target::old_target, method, 200), kT0);
  }
  ScrapeText s(metrics.scrape());
  EXPECT_EQ(s.value("ficus_requests_total", req("orders", "old", "other", "200")), 3);
  EXPECT_EQ(s.value("ficus_requests_total", req("orders", "old", "OPTIONS", "200")), 1);
  EXPECT_EQ(s.value("ficus_requests_total", req("orders", "old", "PATCH", "200")), 1);
  for (const auto& sample : s.samples()) {
    if (sample.name != "ficus_requests_total") continue;
    const std::string& method = sample.labels.at("method");
    EXPECT_TRUE(method == "other" || method == "OPTIONS" || method == "PATCH") << method;
  }
}

TEST(ProxyMetrics, ManyDistinctCodesAreAllKeptExactly) {
  // More (method, code) pairs than one block of StatusCounters holds.
  ProxyMetrics metrics(1, "test");
  for (unsigned code = 200; code < 240; ++code) {
    for (unsigned i = 0; i <= code - 200; ++i) {
      metrics.record(0, request("orders", Target::old_target, "GET", code), kT0);
    }
  }
  ScrapeText s(metrics.scrape());
  for (unsigned code = 200; code < 240; ++code) {
    EXPECT_EQ(s.value("ficus_requests_total", req("orders", "old", "GET", std::to_string(code))),
              code - 199);
  }
}

TEST(ProxyMetrics, OnlyUpstreamFailuresCountAsUpstreamErrors) {
  ProxyMetrics metrics(1, "test");
  for (FailureKind kind :
       {FailureKind::connect, FailureKind::timeout, FailureKind::reset, FailureKind::protocol,
        FailureKind::client, FailureKind::no_endpoint, FailureKind::none}) {
    metrics.record(0, request("orders", Target::new_target, "GET", 502, milliseconds(1), kind),
                   kT0);
  }
  ScrapeText s(metrics.scrape());
  for (std::string kind : {"connect", "timeout", "reset", "protocol"}) {
    EXPECT_EQ(s.value("ficus_upstream_errors_total",
                      {{"route", "orders"}, {"target", "new"}, {"kind", kind}}),
              1)
        << kind;
  }
  EXPECT_EQ(s.sum("ficus_upstream_errors_total", {}), 4);
  EXPECT_EQ(s.value("ficus_requests_total", req("orders", "new", "GET", "502")), 7);
}

TEST(ProxyMetrics, InFlightIsTheSumOverWorkers) {
  ProxyMetrics metrics(2, "test");
  metrics.in_flight(0, "orders", Target::new_target, +1);
  metrics.in_flight(0, "orders", Target::new_target, +1);
  metrics.in_flight(1, "orders", Target::new_target, -1);  // finished on another worker
  metrics.in_flight(1, "orders", Target::old_target, +1);
  ScrapeText s(metrics.scrape());
  EXPECT_EQ(s.find("ficus_requests_in_flight", {{"route", "orders"}, {"target", "new"}}), 1);
  EXPECT_EQ(s.find("ficus_requests_in_flight", {{"route", "orders"}, {"target", "old"}}), 1);
}

TEST(ProxyMetrics, ConfiguredRoutesAreExportedAtZeroBeforeTheirFirstRequest) {
  ProxyMetrics metrics(2, "test");
  const std::vector<RouteInfo> routes = {{"orders", true}, {"default", false}};
  metrics.set_routes(routes);
  ScrapeText s(metrics.scrape());
  EXPECT_EQ(
      s.find("ficus_request_duration_seconds_count", {{"route", "orders"}, {"target", "old"}}), 0);
  EXPECT_EQ(
      s.find("ficus_request_duration_seconds_count", {{"route", "orders"}, {"target", "new"}}), 0);
  EXPECT_EQ(s.find("ficus_requests_in_flight", {{"route", "default"}, {"target", "old"}}), 0);
  EXPECT_FALSE(s.find("ficus_requests_in_flight", {{"route", "default"}, {"target", "new"}}));
  EXPECT_EQ(s.find("ficus_route_new_share", {{"route", "orders"}}), 0);
  EXPECT_EQ(s.find("ficus_route_killed", {{"route", "default"}}), 0);
}

TEST(ProxyMetrics, ReloadDropsGaugesOfRemovedRoutesButKeepsTheirCounters) {
  ProxyMetrics metrics(1, "test");
  const std::vector<RouteInfo> before = {{"orders", true}, {"legacy", false}};
  metrics.set_routes(before);
  metrics.set_route_share("legacy", 0.25);
  metrics.record(0, request("legacy", Target::old_target, "GET", 200), kT0);
  const std::vector<RouteInfo> after = {{"orders", true}};
  metrics.set_routes(after);
  ScrapeText s(metrics.scrape());
  EXPECT_FALSE(s.find("ficus_route_new_share", {{"route", "legacy"}}));
  EXPECT_TRUE(s.find("ficus_route_new_share", {{"route", "orders"}}));
  EXPECT_EQ(s.value("ficus_requests_total", req("legacy", "old", "GET", "200")), 1);
}

TEST(ProxyMetrics, RequestsThatMatchedNoRouteUseTheNoneLabels) {
  ProxyMetrics metrics(1, "test");
  metrics.record(0, request("", Target::none, "GET", 404, milliseconds(1), FailureKind::no_route),
                 kT0);
  ScrapeText s(metrics.scrape());
  EXPECT_EQ(s.value("ficus_requests_total", req("(none)", "none", "GET", "404")), 1);
}

TEST(ProxyMetrics, FlagEvaluationsAreCountedPerFlagVariantAndReason) {
  ProxyMetrics metrics(2, "test");
  metrics.record_flag_evaluation(0, "orders-cutover", "new", "TARGETING_MATCH");
  metrics.record_flag_evaluation(1, "orders-cutover", "new", "TARGETING_MATCH");
  metrics.record_flag_evaluation(1, "orders-cutover", "old", "DEFAULT");
  ScrapeText s(metrics.scrape());
  EXPECT_EQ(
      s.value("ficus_flag_evaluations_total",
              {{"flag", "orders-cutover"}, {"variant", "new"}, {"reason", "TARGETING_MATCH"}}),
      2);
  EXPECT_EQ(s.value("ficus_flag_evaluations_total",
                    {{"flag", "orders-cutover"}, {"variant", "old"}, {"reason", "DEFAULT"}}),
            1);
}

TEST(ProxyMetrics, FlagLabelSetsBeyondTheCapCountAsOtherFlag) {
  ProxyMetrics metrics(1, "test");
  const std::size_t cap = ProxyMetrics::kMaxFlagSeriesPerWorker;
  for (std::size_t i = 0; i < cap + 5; ++i) {
    metrics.record_flag_evaluation(0, "flag-" + std::to_string(i), "", "ERROR");
  }
  metrics.record_flag_evaluation(0, "flag-0", "", "ERROR");  // known before the cap: still its own
  ScrapeText s(metrics.scrape());
  EXPECT_EQ(s.value("ficus_flag_evaluations_total",
                    {{"flag", "flag-0"}, {"variant", ""}, {"reason", "ERROR"}}),
            2);
  EXPECT_EQ(s.value("ficus_flag_evaluations_total",
                    {{"flag", "(other)"}, {"variant", ""}, {"reason", "ERROR"}}),
            5);
  EXPECT_EQ(s.sum("ficus_flag_evaluations_total", {}), static_cast<double>(cap + 6));
}

TEST(ProxyMetrics, ControlThreadSettersShowUpInTheScrape) {
  ProxyMetrics metrics(1, "1.2.3");
  metrics.set_route_share("orders", 0.1);
  metrics.set_route_killed("orders", true);
  metrics.set_flags_generation(7);
  metrics.count_flags_reload_error();
  metrics.count_config_reload(true);
  metrics.count_config_reload(true);
  metrics.count_config_reload(false);
  ScrapeText s(metrics.scrape());
  EXPECT_EQ(s.find("ficus_route_new_share", {{"route", "orders"}}), 0.1);
  EXPECT_EQ(s.find("ficus_route_killed", {{"route", "orders"}}), 1);
  EXPECT_EQ(s.find("ficus_flags_generation", {}), 7);
  EXPECT_EQ(s.find("ficus_flags_reload_errors_total", {}), 1);
  EXPECT_EQ(s.find("ficus_config_reloads_total", {{"result", "success"}}), 2);
  EXPECT_EQ(s.find("ficus_config_reloads_total", {{"result", "failure"}}), 1);
  EXPECT_EQ(s.find("ficus_build_info", {{"version", "1.2.3"}}), 1);
}

TEST(ProxyMetrics, ShareIsClampedToZeroToOne) {
  ProxyMetrics metrics(1, "test");
  metrics.set_route_share("orders", 1.5);
  EXPECT_EQ(ScrapeText(metrics.scrape()).find("ficus_route_new_share", {{"route", "orders"}}), 1);
}

TEST(ProxyMetrics, ScrapeParsesAndDeclaresEveryFamilyWithItsType) {
  ProxyMetrics metrics(1, "test");
  ScrapeText s(metrics.scrape());  // throws on a malformed line
  for (std::string_view name : kMetricNames) {
    EXPECT_TRUE(s.family_names().contains(std::string(name))) << name;
  }
  EXPECT_EQ(s.family_names().size(), kMetricNames.size());
  EXPECT_EQ(s.type_of("ficus_requests_total"), "counter");
  EXPECT_EQ(s.type_of("ficus_request_duration_seconds"), "histogram");
  EXPECT_EQ(s.type_of("ficus_requests_in_flight"), "gauge");
  EXPECT_EQ(s.type_of("ficus_route_new_share"), "gauge");
  EXPECT_EQ(s.type_of("ficus_flags_reload_errors_total"), "counter");
}

TEST(ProxyMetrics, WorkerIndexOutOfRangeThrows) {
  ProxyMetrics metrics(2, "test");
  EXPECT_THROW(metrics.record(2, request("orders", Target::old_target, "GET", 200), kT0),
               std::out_of_range);
  EXPECT_THROW(ProxyMetrics(0, "test"), std::invalid_argument);
}

TEST(ProxyMetrics, ScrapesDuringRecordingSeeCountsThatOnlyGrow) {
  ProxyMetrics metrics(2, "test");
  constexpr int kPerWorker = 20'000;
  std::atomic<bool> done{false};
  std::vector<std::thread> workers;
  for (std::size_t w = 0; w < 2; ++w) {
    workers.emplace_back([&, w] {
      for (int i = 0; i < kPerWorker; ++i) {
        // A new route now and then, so the scrape also races with cell creation.
        metrics.record(w, request("r" + std::to_string(i % 50), Target::new_target, "GET", 200),
                       kT0);
      }
    });
  }
  double last = 0;
  std::thread scraper([&] {
    while (!done.load()) {
      const double now = ScrapeText(metrics.scrape()).sum("ficus_requests_total", {});
      EXPECT_GE(now, last);
      last = now;
    }
  });
  for (auto& t : workers) t.join();
  done = true;
  scraper.join();
  EXPECT_EQ(ScrapeText(metrics.scrape()).sum("ficus_requests_total", {}), 2 * kPerWorker);
}

}  // namespace
}  // namespace ficus::proxy::metrics
