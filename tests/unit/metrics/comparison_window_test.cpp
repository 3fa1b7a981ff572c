#include "proxy/metrics/comparison_window.h"

#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "tests/unit/metrics/window_test_support.h"

namespace ficus::proxy::metrics {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::finished;
using testing::kNow;
using testing::record_many;

constexpr Target kOld = Target::old_target;
constexpr Target kNew = Target::new_target;

TEST(ComparisonWindow, NewUpstreamThatErrorsAndIsSlowIsNewWorse) {
  ComparisonWindow window(2);
  for (int s = 0; s < 60; ++s) {
    record_many(window, 0, "orders", kOld, 10, 0, milliseconds(10), kNow - seconds(s));
    record_many(window, 1, "orders", kNew, 5, 1, milliseconds(400), kNow - seconds(s));
  }
  const Comparison c = window.compare("orders", seconds(300), VerdictRule{}, kNow);
  EXPECT_EQ(c.old_target.requests, 600u);
  EXPECT_EQ(c.new_target.requests, 300u);
  EXPECT_EQ(c.old_target.errors, 0u);
  EXPECT_EQ(c.new_target.errors, 60u);
  EXPECT_DOUBLE_EQ(c.new_target.error_rate, 0.2);
  EXPECT_DOUBLE_EQ(c.old_target.rate_per_s, 2.0);
  EXPECT_DOUBLE_EQ(c.new_target.rate_per_s, 1.0);
  EXPECT_EQ(c.verdict, Verdict::new_worse);
}

TEST(ComparisonWindow, FewerRequestsThanTheMinimumIsInsufficientData) {
  ComparisonWindow window(1);
  record_many(window, 0, "orders", kOld, 500, 0, milliseconds(10), kNow);
  record_many(window, 0, "orders", kNew, 99, 50, milliseconds(900), kNow);  // terrible, but few
  VerdictRule rule;
  rule.min_requests = 100;
  EXPECT_EQ(window.compare("orders", seconds(300), rule, kNow).verdict, Verdict::insufficient_data);
  rule.min_requests = 99;
  EXPECT_EQ(window.compare("orders", seconds(300), rule, kNow).verdict, Verdict::new_worse);
}

TEST(ComparisonWindow, RouteWithoutTrafficIsInsufficientData) {
  ComparisonWindow window(1);
  const Comparison c = window.compare("quiet", seconds(300), VerdictRule{}, kNow);
  EXPECT_EQ(c.old_target.requests, 0u);
  EXPECT_EQ(c.new_target.p99_s, 0);
  EXPECT_EQ(c.verdict, Verdict::insufficient_data);
}

TEST(ComparisonWindow, SecondsOlderThanTheWindowAreNotCounted) {
  ComparisonWindow window(1);
  record_many(window, 0, "orders", kOld, 100, 0, milliseconds(5), kNow);
  record_many(window, 0, "orders", kOld, 10, 0, milliseconds(5), kNow + seconds(200));
  auto old_requests = [&](std::chrono::steady_clock::time_point now, seconds span) {
    return window.compare("orders", span, VerdictRule{}, now).old_target.requests;
  };
  EXPECT_EQ(old_requests(kNow + seconds(250), seconds(300)), 110u);
  EXPECT_EQ(old_requests(kNow + seconds(299), seconds(300)), 110u);  // kNow is the oldest second
  EXPECT_EQ(old_requests(kNow + seconds(300), seconds(300)), 10u);   // ...and now it has left
  EXPECT_EQ(old_requests(kNow + seconds(250), seconds(60)), 10u);
  EXPECT_EQ(old_requests(kNow + seconds(500), seconds(300)), 0u);
  EXPECT_EQ(old_requests(kNow - seconds(1), seconds(300)), 0u);  // nothing from the future
}

TEST(ComparisonWindow, ASlotReusedAfterOneCapacityHoldsOnlyTheNewSecond) {
  ComparisonWindow window(1, seconds(10));
  record_many(window, 0, "orders", kOld, 7, 0, milliseconds(5), kNow);
  record_many(window, 0, "orders", kOld, 3, 0, milliseconds(5), kNow + seconds(10));  // same slot
  EXPECT_EQ(
      window.compare("orders", seconds(10), VerdictRule{}, kNow + seconds(10)).old_target.requests,
      3u);
  // A late request for the overwritten second is dropped, not added to the newer one.
  window.record(0, finished("orders", kOld, 200, milliseconds(5), kNow), kNow);
  EXPECT_EQ(
      window.compare("orders", seconds(10), VerdictRule{}, kNow + seconds(10)).old_target.requests,
      3u);
}

TEST(ComparisonWindow, UpstreamFailuresAnd5xxAreErrorsCountedOncePerRequest) {
  ComparisonWindow window(1);
  window.record(0, finished("orders", kNew, 502, milliseconds(1), kNow, FailureKind::connect),
                kNow);
  window.record(0, finished("orders", kNew, 0, milliseconds(1), kNow, FailureKind::reset), kNow);
  window.record(0, finished("orders", kNew, 503, milliseconds(1), kNow), kNow);
  window.record(0, finished("orders", kNew, 404, milliseconds(1), kNow), kNow);
  window.record(0, finished("orders", kNew, 0, milliseconds(1), kNow, FailureKind::client), kNow);
  const Comparison c = window.compare("orders", seconds(60), VerdictRule{}, kNow);
  EXPECT_EQ(c.new_target.requests, 5u);
  EXPECT_EQ(c.new_target.errors, 3u);
}

TEST(ComparisonWindow, AttemptsOnAnUnreachableNewCountAsNewErrors) {
  ComparisonWindow window(1);
  record_many(window, 0, "orders", kOld, 200, 0, milliseconds(5), kNow);
  for (int i = 0; i < 100; ++i) {
    window.record_failed_attempt(0, "orders", kNew, kNow - milliseconds(1), kNow);
  }
  const Comparison c = window.compare("orders", seconds(60), VerdictRule{}, kNow);
  EXPECT_EQ(c.new_target.requests, 100u);
  EXPECT_EQ(c.new_target.errors, 100u);
  EXPECT_EQ(c.old_target.errors, 0u);
  EXPECT_EQ(c.verdict, Verdict::new_worse);
}

TEST(ComparisonWindow, RequestsWithoutATargetAreNotCompared) {
  ComparisonWindow window(1);
  window.record(0, finished("", Target::none, 404, milliseconds(1), kNow, FailureKind::no_route),
                kNow);
  window.record(0, finished("orders", Target::none, 503, milliseconds(1), kNow), kNow);
  const Comparison c = window.compare("orders", seconds(60), VerdictRule{}, kNow);
  EXPECT_EQ(c.old_target.requests + c.new_target.requests, 0u);
  EXPECT_TRUE(window.routes().empty());
}

TEST(ComparisonWindow, QuantilesComeFromTheLatencyDistribution) {
  ComparisonWindow window(1);
  record_many(window, 0, "orders", kOld, 900, 0, milliseconds(10), kNow);
  record_many(window, 0, "orders", kOld, 100, 0, milliseconds(1000), kNow);
  const TargetStats s = window.compare("orders", seconds(60), VerdictRule{}, kNow).old_target;
  EXPECT_NEAR(s.p50_s, 0.010, 0.010 * 0.3);
  EXPECT_NEAR(s.p95_s, 1.0, 1.0 * 0.3);
  EXPECT_NEAR(s.p99_s, 1.0, 1.0 * 0.3);
  EXPECT_LT(s.p50_s, s.p95_s);
}

TEST(ComparisonWindow, WorkersAreAddedUpWhileRecordingConcurrently) {
  ComparisonWindow window(2, seconds(60));
  std::atomic<bool> done{false};
  std::thread reader([&] {
    std::uint64_t last = 0;
    while (!done.load()) {
      const auto n = window.compare("orders", seconds(60), VerdictRule{}, kNow + seconds(59))
                         .old_target.requests;
      EXPECT_GE(n, last);
      last = n;
    }
  });
  std::thread a([&] { record_many(window, 0, "orders", kOld, 20'000, 0, milliseconds(2), kNow); });
  std::thread b([&] {
    for (int s = 0; s < 40; ++s)
      record_many(window, 1, "orders", kOld, 500, 0, milliseconds(2), kNow + seconds(s));
  });
  a.join();
  b.join();
  done = true;
  reader.join();
  EXPECT_EQ(
      window.compare("orders", seconds(60), VerdictRule{}, kNow + seconds(59)).old_target.requests,
      40'000u);
}

TEST(ComparisonWindow, WindowOutsideOneSecondToCapacityIsRejected) {
  ComparisonWindow window(1, seconds(600));
  EXPECT_THROW(window.compare("orders", seconds(0), VerdictRule{}, kNow), std::invalid_argument);
  EXPECT_THROW(window.compare("orders", seconds(601), VerdictRule{}, kNow), std::invalid_argument);
  EXPECT_NO_THROW(window.compare("orders", seconds(600), VerdictRule{}, kNow));
}

TEST(ComparisonWindow, RoutesAreTheConfiguredOnesOnceSet) {
  ComparisonWindow window(2);
  window.record(1, finished("zeta", kOld, 200, milliseconds(1), kNow), kNow);
  window.record(0, finished("alpha", kNew, 200, milliseconds(1), kNow), kNow);
  window.record(1, finished("alpha", kOld, 200, milliseconds(1), kNow), kNow);
  EXPECT_EQ(window.routes(), (std::vector<std::string>{"alpha", "zeta"}));
  window.set_routes({"orders"});
  EXPECT_EQ(window.routes(), (std::vector<std::string>{"orders"}));
}

}  // namespace
}  // namespace ficus::proxy::metrics
