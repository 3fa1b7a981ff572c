#include "proxy/metrics/status_counters.h"

#include <map>
#include <utility>

#include <gtest/gtest.h>

namespace ficus::proxy::metrics {
namespace {

std::map<std::pair<std::size_t, unsigned>, std::uint64_t> snapshot(const StatusCounters& c) {
  std::map<std::pair<std::size_t, unsigned>, std::uint64_t> out;
  c.for_each([&](std::size_t method, unsigned code, std::uint64_t n) { out[{method, code}] += n; });
  return out;
}

TEST(StatusCounters, CountsEachMethodAndCodePairSeparately) {
  StatusCounters c;
  c.add(0, 200);
  c.add(0, 200);
  c.add(2, 200);
  c.add(0, 503);
  EXPECT_EQ(snapshot(c), (std::map<std::pair<std::size_t, unsigned>, std::uint64_t>{
                             {{0, 200}, 2}, {{0, 503}, 1}, {{2, 200}, 1}}));
}

TEST(StatusCounters, KeepsEveryPairBeyondOneBlock) {
  StatusCounters c;
  for (unsigned code = 100; code < 600; ++code) c.add(1, code);
  for (unsigned code = 100; code < 600; ++code) c.add(1, code);
  const auto counts = snapshot(c);
  EXPECT_EQ(counts.size(), 500u);
  for (const auto& [key, n] : counts) EXPECT_EQ(n, 2u) << key.second;
}

TEST(StatusCounters, CodesAboveThreeDigitsCountAsZero) {
  StatusCounters c;
  c.add(0, 1000);
  c.add(0, 0);
  EXPECT_EQ(snapshot(c), (std::map<std::pair<std::size_t, unsigned>, std::uint64_t>{{{0, 0}, 2}}));
}

}  // namespace
}  // namespace ficus::proxy::metrics
