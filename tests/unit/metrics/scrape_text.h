// A small reader of the Prometheus text format for tests: enough to find one sample by name and
// labels, and strict enough to fail on a malformed line.
//
//   ScrapeText scrape(metrics.scrape());
//   EXPECT_EQ(scrape.value("ficus_requests_total", {{"route", "orders"}, {"code", "200"}}), 3);
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ficus::proxy::metrics::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

class ScrapeText {
 public:
  // Throws std::runtime_error naming the line if a line is not a comment, blank or a sample.
  explicit ScrapeText(const std::string& text);

  const std::vector<Sample>& samples() const { return samples_; }
  // Names from "# TYPE name type" lines.
  const std::set<std::string>& family_names() const { return families_; }
  std::optional<std::string> type_of(const std::string& family) const;

  // The one sample with this name whose labels are exactly `labels`; nullopt if none.
  std::optional<double> find(const std::string& name,
                             const std::map<std::string, std::string>& labels) const;
  // Like find(), but a missing sample is 0 (what PromQL would say of an absent counter).
  double value(const std::string& name, const std::map<std::string, std::string>& labels) const;
  // Sum of every sample with this name whose labels include `subset`.
  double sum(const std::string& name, const std::map<std::string, std::string>& subset) const;

 private:
  std::vector<Sample> samples_;
  std::set<std::string> families_;
  std::map<std::string, std::string> types_;
};

}  // namespace ficus::proxy::metrics::testing
