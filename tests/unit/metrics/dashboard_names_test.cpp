// Every metric name the Grafana dashboard and the Prometheus rules use must be one Ficus exports,
// so renaming a metric cannot silently blank a panel or disarm an alert.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cutover/cutover_metrics.h"
#include "proxy/metrics/proxy_metrics.h"
#include "tests/unit/metrics/scrape_text.h"

namespace ficus::proxy::metrics {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// ficus_* names, with the histogram series suffixes taken off.
std::set<std::string> metric_names_in(const std::string& text) {
  static const std::regex kName(R"(\bficus_[a-zA-Z0-9_]+)");
  std::set<std::string> names;
  for (std::sregex_iterator it(text.begin(), text.end(), kName), end; it != end; ++it) {
    std::string name = it->str();
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (name.ends_with(suffix)) name.resize(name.size() - suffix.size());
    }
    names.insert(name);
  }
  return names;
}

// Recording-rule names (level:metric:operation), e.g. ficus:route_success_rate:ratio_rate1m.
std::set<std::string> recorded_names_in(const std::string& text) {
  static const std::regex kName(R"(\bficus:[a-zA-Z0-9_:]+)");
  std::set<std::string> names;
  for (std::sregex_iterator it(text.begin(), text.end(), kName), end; it != end; ++it) {
    names.insert(it->str());
  }
  return names;
}

std::set<std::string> recording_rules_defined_in(const std::string& rules) {
  static const std::regex kRecord(R"(record:\s*(ficus:[a-zA-Z0-9_:]+))");
  std::set<std::string> names;
  for (std::sregex_iterator it(rules.begin(), rules.end(), kRecord), end; it != end; ++it) {
    names.insert((*it)[1]);
  }
  return names;
}

std::set<std::string> exported_names() {
  ProxyMetrics metrics(1, "test");
  // The cutover engine's gauges share the proxy's registry; one route with a judged step makes
  // every one of their families appear.
  cutover::CutoverMetrics cutover_metrics(metrics.registry());
  cutover::RampProgress progress;
  progress.last_gates = cutover::GateResult{};
  progress.last_gates->checks.push_back({"max_p99_ratio", 1.3, 1.0, true});
  cutover_metrics.update("orders", progress);
  return testing::ScrapeText(metrics.scrape()).family_names();
}

const std::string kDashboard = std::string(FICUS_DOCKER_DIR) + "/grafana/ficus-dashboard.json";
const std::string kRules = std::string(FICUS_DOCKER_DIR) + "/prometheus/rules.yml";

TEST(DashboardAndRules, ExtractionFindsNamesAndStripsHistogramSuffixes) {
  EXPECT_EQ(metric_names_in("sum(rate(ficus_request_duration_seconds_bucket[1m])) by (le) / "
                            "ficus_requests_total ficus:x:y"),
            (std::set<std::string>{"ficus_request_duration_seconds", "ficus_requests_total"}));
}

TEST(DashboardAndRules, EveryMetricTheDashboardUsesIsExported) {
  const std::string text = read_file(kDashboard);
  EXPECT_TRUE(nlohmann::json::accept(text)) << "dashboard is not valid JSON";
  const std::set<std::string> used = metric_names_in(text);
  // The dashboard shows rate, errors, latency and the split; fewer names means a broken extract.
  for (std::string name :
       {"ficus_requests_total", "ficus_request_duration_seconds", "ficus_route_new_share",
        "ficus_upstream_errors_total", "ficus_cutover_step", "ficus_cutover_state",
        "ficus_cutover_gate_result"}) {
    EXPECT_TRUE(used.contains(name)) << "dashboard does not use " << name;
  }
  const std::set<std::string> exported = exported_names();
  for (const std::string& name : used) {
    EXPECT_TRUE(exported.contains(name))
        << "dashboard uses " << name << ", which Ficus does not export";
  }
}

TEST(DashboardAndRules, EveryMetricTheRulesUseIsExported) {
  const std::string text = read_file(kRules);
  const std::set<std::string> used = metric_names_in(text);
  EXPECT_TRUE(used.contains("ficus_requests_total"));
  EXPECT_TRUE(used.contains("ficus_request_duration_seconds"));
  const std::set<std::string> exported = exported_names();
  for (const std::string& name : used) {
    EXPECT_TRUE(exported.contains(name))
        << "rules.yml uses " << name << ", which Ficus does not export";
  }
}

TEST(DashboardAndRules, EveryRecordedSeriesUsedIsDefinedByARecordingRule) {
  const std::string rules = read_file(kRules);
  const std::set<std::string> defined = recording_rules_defined_in(rules);
  EXPECT_FALSE(defined.empty());
  std::set<std::string> used = recorded_names_in(read_file(kDashboard));
  used.merge(recorded_names_in(rules));
  for (const std::string& name : used) {
    EXPECT_TRUE(defined.contains(name)) << name << " is used but no rule records it";
  }
}

TEST(DashboardAndRules, AlertsCompareNewWithOldOnErrorsAndP99) {
  const std::string rules = read_file(kRules);
  EXPECT_NE(rules.find("alert: FicusNewErrorRateAboveOld"), std::string::npos);
  EXPECT_NE(rules.find("alert: FicusNewP99AboveOld"), std::string::npos);
  EXPECT_NE(rules.find("for: 5m"), std::string::npos);
}

}  // namespace
}  // namespace ficus::proxy::metrics
