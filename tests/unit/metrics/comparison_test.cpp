#include "proxy/metrics/comparison.h"

#include <gtest/gtest.h>

namespace ficus::proxy::metrics {
namespace {

TargetStats stats(std::uint64_t requests, double error_rate, double p99_s) {
  TargetStats s;
  s.requests = requests;
  s.errors = static_cast<std::uint64_t>(error_rate * static_cast<double>(requests));
  s.error_rate = error_rate;
  s.p50_s = p99_s / 4;
  s.p95_s = p99_s / 2;
  s.p99_s = p99_s;
  return s;
}

Comparison judged(TargetStats old_side, TargetStats new_side, VerdictRule rule = {}) {
  Comparison c;
  c.route = "orders";
  c.window = std::chrono::seconds(300);
  c.rule = rule;
  c.old_target = old_side;
  c.new_target = new_side;
  judge(c);
  return c;
}

TEST(Verdict, ErrorRateMoreThanOnePointAboveOldIsNewWorse) {
  const Comparison c = judged(stats(1000, 0.002, 0.1), stats(1000, 0.013, 0.1));
  EXPECT_EQ(c.verdict, Verdict::new_worse);
  EXPECT_NEAR(c.error_rate_delta(), 0.011, 1e-12);
  EXPECT_NE(c.reason.find("error rate"), std::string::npos) << c.reason;
}

TEST(Verdict, ErrorRateWithinOnePointIsSame) {
  EXPECT_EQ(judged(stats(1000, 0.002, 0.1), stats(1000, 0.011, 0.1)).verdict, Verdict::same);
}

TEST(Verdict, P99AboveTheRatioIsNewWorse) {
  const Comparison c = judged(stats(1000, 0, 0.100), stats(1000, 0, 0.130));
  EXPECT_EQ(c.verdict, Verdict::new_worse);
  EXPECT_NEAR(*c.p99_ratio(), 1.3, 1e-12);
  EXPECT_NE(c.reason.find("p99"), std::string::npos) << c.reason;
}

TEST(Verdict, P99WithinTheRatioIsSame) {
  EXPECT_EQ(judged(stats(1000, 0, 0.100), stats(1000, 0, 0.115)).verdict, Verdict::same);
}

TEST(Verdict, TinyAbsoluteP99DifferencesAreSameEvenAboveTheRatio) {
  // 1 ms vs 2 ms is twice as slow but below min_p99_delta_s (5 ms).
  EXPECT_EQ(judged(stats(1000, 0, 0.001), stats(1000, 0, 0.002)).verdict, Verdict::same);
}

TEST(Verdict, FewerErrorsByMoreThanTheToleranceIsNewBetter) {
  EXPECT_EQ(judged(stats(1000, 0.05, 0.1), stats(1000, 0.01, 0.1)).verdict, Verdict::new_better);
}

TEST(Verdict, MuchFasterP99IsNewBetter) {
  EXPECT_EQ(judged(stats(1000, 0, 0.300), stats(1000, 0, 0.100)).verdict, Verdict::new_better);
}

TEST(Verdict, WorseOnOneMeasureIsNeverBetter) {
  // Faster, but with more errors: worse wins.
  EXPECT_EQ(judged(stats(1000, 0.00, 0.300), stats(1000, 0.02, 0.100)).verdict, Verdict::new_worse);
}

TEST(Verdict, BelowMinimumOnEitherSideIsInsufficientData) {
  VerdictRule rule;
  rule.min_requests = 100;
  EXPECT_EQ(judged(stats(99, 0, 0.1), stats(1000, 0.5, 9)).verdict, Verdict::insufficient_data);
  EXPECT_EQ(judged(stats(1000, 0, 0.1), stats(99, 0, 0.1), rule).verdict,
            Verdict::insufficient_data);
  EXPECT_EQ(judged(stats(100, 0, 0.1), stats(100, 0, 0.1), rule).verdict, Verdict::same);
}

TEST(Verdict, JsonCarriesBothSidesDeltasAndTheVerdict) {
  const nlohmann::json j = to_json(judged(stats(1000, 0.0, 0.100), stats(500, 0.2, 0.400)));
  EXPECT_EQ(j.at("route"), "orders");
  EXPECT_EQ(j.at("window_s"), 300);
  EXPECT_EQ(j.at("old").at("requests"), 1000);
  EXPECT_EQ(j.at("new").at("errors"), 100);
  EXPECT_DOUBLE_EQ(j.at("new").at("p99_ms").get<double>(), 400);
  EXPECT_EQ(j.at("delta").at("requests"), -500);
  EXPECT_DOUBLE_EQ(j.at("delta").at("error_rate").get<double>(), 0.2);
  EXPECT_DOUBLE_EQ(j.at("delta").at("p99_ms").get<double>(), 300);
  EXPECT_DOUBLE_EQ(j.at("delta").at("p99_ratio").get<double>(), 4);
  EXPECT_EQ(j.at("verdict"), "new-worse");
  EXPECT_TRUE(j.at("reason").is_string());
}

TEST(Verdict, NamesAreKebabCase) {
  EXPECT_EQ(to_string(Verdict::new_better), "new-better");
  EXPECT_EQ(to_string(Verdict::same), "same");
  EXPECT_EQ(to_string(Verdict::new_worse), "new-worse");
  EXPECT_EQ(to_string(Verdict::insufficient_data), "insufficient-data");
}

}  // namespace
}  // namespace ficus::proxy::metrics
