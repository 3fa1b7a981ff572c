// The cutover gates on known comparison numbers: each gate's pass/fail edge, insufficient data
// winning over everything, the p99 noise floor, and the JSON the status and state file carry.
#include "cutover/gate_check.h"

#include <gtest/gtest.h>

namespace ficus::cutover {
namespace {

using namespace std::chrono_literals;

metrics::TargetStats stats(std::uint64_t requests, double error_rate, double p99_s) {
  metrics::TargetStats s;
  s.requests = requests;
  s.errors = static_cast<std::uint64_t>(static_cast<double>(requests) * error_rate);
  s.error_rate = error_rate;
  s.p99_s = p99_s;
  return s;
}

metrics::Comparison comparison(metrics::TargetStats old_target, metrics::TargetStats new_target) {
  metrics::Comparison c;
  c.route = "orders";
  c.window = 60s;
  c.old_target = old_target;
  c.new_target = new_target;
  return c;
}

const GateCheck& check(const GateResult& result, std::string_view gate) {
  for (const auto& c : result.checks) {
    if (c.gate == gate) return c;
  }
  throw std::runtime_error("no check " + std::string(gate));
}

TEST(GateCheck, PassesWhenNewIsAsGoodAsOld) {
  auto result = judge_gates(comparison(stats(600, 0.01, 0.050), stats(600, 0.015, 0.060)), {});
  EXPECT_EQ(result.verdict, GateVerdict::pass);
  ASSERT_EQ(result.checks.size(), 3U);
  EXPECT_TRUE(check(result, "min_requests").pass);
  EXPECT_DOUBLE_EQ(*check(result, "min_requests").value, 600);
  EXPECT_NEAR(*check(result, "max_error_rate_delta").value, 0.005, 1e-12);
  EXPECT_NEAR(*check(result, "max_p99_ratio").value, 1.2, 1e-12);
}

TEST(GateCheck, FewerRequestsThanTheMinimumOnEitherTargetIsInsufficientEvenIfNewFails) {
  auto result = judge_gates(comparison(stats(600, 0.0, 0.05), stats(499, 0.5, 0.5)), {});
  EXPECT_EQ(result.verdict, GateVerdict::insufficient_data);
  EXPECT_FALSE(check(result, "min_requests").pass);
  EXPECT_DOUBLE_EQ(*check(result, "min_requests").value, 499);
  auto old_short = judge_gates(comparison(stats(10, 0.0, 0.05), stats(5000, 0.0, 0.05)), {});
  EXPECT_EQ(old_short.verdict, GateVerdict::insufficient_data);
}

TEST(GateCheck, ErrorRateDeltaAboveTheLimitFails) {
  config::CutoverGates gates;
  gates.max_error_rate_delta = 0.02;
  auto at_limit = judge_gates(comparison(stats(1000, 0.01, 0.05), stats(1000, 0.03, 0.05)), gates);
  EXPECT_EQ(at_limit.verdict, GateVerdict::pass);
  auto above = judge_gates(comparison(stats(1000, 0.01, 0.05), stats(1000, 0.04, 0.05)), gates);
  EXPECT_EQ(above.verdict, GateVerdict::fail);
  EXPECT_FALSE(check(above, "max_error_rate_delta").pass);
  EXPECT_NE(above.summary().find("max_error_rate_delta 0.03 > 0.02"), std::string::npos)
      << above.summary();
}

TEST(GateCheck, P99RatioAboveTheLimitFailsOnlyWhenNewIsAlsoNoticeablySlower) {
  config::CutoverGates gates;
  gates.max_p99_ratio = 1.3;
  auto slow = judge_gates(comparison(stats(1000, 0, 0.100), stats(1000, 0, 0.200)), gates);
  EXPECT_EQ(slow.verdict, GateVerdict::fail);
  EXPECT_NEAR(*check(slow, "max_p99_ratio").value, 2.0, 1e-12);
  // 0.2 ms vs 0.6 ms is a ratio of 3, but 0.4 ms is loopback noise, not a regression.
  auto noise = judge_gates(comparison(stats(1000, 0, 0.0002), stats(1000, 0, 0.0006)), gates);
  EXPECT_EQ(noise.verdict, GateVerdict::pass);
}

TEST(GateCheck, JsonRoundTripKeepsTheVerdictNumbersAndChecks) {
  auto result = judge_gates(comparison(stats(1000, 0.01, 0.1), stats(800, 0.2, 0.1)), {});
  auto json = result.to_json();
  EXPECT_EQ(json["verdict"], "fail");
  EXPECT_EQ(json["window_s"], 60);
  EXPECT_EQ(json["new"]["requests"], 800);
  EXPECT_EQ(json["checks"].size(), 3U);
  EXPECT_EQ(json["checks"][1]["gate"], "max_error_rate_delta");
  EXPECT_EQ(json["checks"][1]["pass"], false);
  auto back = GateResult::from_json(json);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->verdict, GateVerdict::fail);
  EXPECT_EQ(back->to_json(), json);
  EXPECT_FALSE(GateResult::from_json(nlohmann::json{{"verdict", "maybe"}}).has_value());
}

}  // namespace
}  // namespace ficus::cutover
