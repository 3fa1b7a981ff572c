#include "proxy/metrics/compare_table.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "proxy/metrics/comparison.h"

namespace ficus::proxy::metrics {
namespace {

Comparison sample() {
  Comparison c;
  c.route = "orders";
  c.window = std::chrono::seconds(300);
  c.old_target = {1200, 6, 4.0, 0.005, 0.012, 0.030, 0.045};
  c.new_target = {130, 16, 0.43, 16.0 / 130, 0.014, 0.080, 0.210};
  judge(c);
  return c;
}

TEST(CompareTable, ShowsOldNewAndDeltaRowsWithTheVerdict) {
  const std::string table = render_compare_table(to_json(sample()));
  EXPECT_NE(table.find("ROUTE"), std::string::npos);
  EXPECT_NE(table.find("orders"), std::string::npos);
  EXPECT_NE(table.find("0.50%"), std::string::npos);   // old error rate
  EXPECT_NE(table.find("12.31%"), std::string::npos);  // new error rate
  EXPECT_NE(table.find("210.0"), std::string::npos);   // new p99 ms
  EXPECT_NE(table.find("-1070"), std::string::npos);   // request delta
  EXPECT_NE(table.find("new-worse"), std::string::npos);
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 4);
}

TEST(CompareTable, RendersEveryRouteOfTheAllRoutesForm) {
  nlohmann::json all = {{"window_s", 300}, {"routes", {to_json(sample()), to_json(sample())}}};
  const std::string table = render_compare_table(all);
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 7);
}

}  // namespace
}  // namespace ficus::proxy::metrics
