// Shared pieces of the reliability scenarios (issue #7, "Under load"): how big a run is, reading
// the proxy's metrics, and the one-line figures each scenario prints for docs/reliability.md.
//
//   auto figures = Figures("flag_rewrites_under_load");
//   figures.add("requests", summary.requests).add("failed", summary.failed);
//   figures.print();   // RELIABILITY flag_rewrites_under_load requests=41234 failed=0
#pragma once

#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/proxy/proxy_process.h"
#include "tests/support/load/load_generator.h"

namespace ficus::testing {

// Under ASan/UBSan the proxy is several times slower: the same scenarios run with fewer faults and
// a shorter load, so the sanitizer CI job stays short while still exercising every path.
#ifdef FICUS_SANITIZED
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
inline constexpr int scaled(int full, int sanitized) {
  return kSanitized ? sanitized : full;
}

// GET /metrics on the admin port ("" when it does not answer).
std::string scrape_metrics(const ProxyProcess& proxy);

// Sum of every sample of `name` whose label set contains each of `labels` (`key="value"`);
// -1 when no sample matches.
double metric_value(const std::string& scrape, const std::string& name,
                    const std::vector<std::string>& labels = {});

// Raises this process's soft RLIMIT_NOFILE to the hard limit (the proxy, forked from here,
// inherits it); returns the new soft limit.
std::uint64_t raise_open_file_limit();

// One line per scenario, greppable by scripts/reliability-report.
class Figures {
 public:
  explicit Figures(std::string scenario);
  template <typename T>
  Figures& add(const std::string& key, const T& value) {
    out_ << ' ' << key << '=' << value;
    return *this;
  }
  Figures& add_summary(const LoadSummary& summary);
  void print() const;

 private:
  std::ostringstream out_;
};

// A readable line about one sample, for failure messages.
std::string describe(const LoadSample& sample, LoadClock::time_point origin);

// Milliseconds from `from` to `to`.
double ms_between(LoadClock::time_point from, LoadClock::time_point to);

}  // namespace ficus::testing
