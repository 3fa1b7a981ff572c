#include "tests/reliability/reliability_support.h"

#include <sys/resource.h>

#include <cstdio>
#include <iomanip>
#include <iostream>

#include "tests/integration/proxy/http_client.h"

namespace ficus::testing {

std::string scrape_metrics(const ProxyProcess& proxy) {
  auto reply = http_get(proxy.admin_port(), "/metrics");
  return reply.status == 200 ? reply.body : "";
}

double metric_value(const std::string& scrape, const std::string& name,
                    const std::vector<std::string>& labels) {
  std::istringstream lines(scrape);
  double sum = 0;
  bool found = false;
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(name)) continue;
    auto rest = std::string_view(line).substr(name.size());
    if (rest.empty() || (rest.front() != '{' && rest.front() != ' ')) continue;  // a longer name
    bool all = true;
    for (const auto& label : labels) all = all && rest.find(label) != std::string_view::npos;
    if (!all) continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
    found = true;
  }
  return found ? sum : -1;
}

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
  }
  return limit.rlim_cur;
}

Figures::Figures(std::string scenario) {
  out_ << std::fixed << std::setprecision(1) << "RELIABILITY " << scenario;
}

Figures& Figures::add_summary(const LoadSummary& summary) {
  return add("requests", summary.requests)
      .add("failed", summary.failed)
      .add("seconds", summary.seconds)
      .add("req_per_s", summary.requests_per_second)
      .add("p50_ms", summary.p50_ms)
      .add("p99_ms", summary.p99_ms)
      .add("max_ms", summary.max_ms);
}

void Figures::print() const {
  std::cout << out_.str() << (kSanitized ? " build=sanitized" : " build=optimised") << std::endl;
}

std::string describe(const LoadSample& sample, LoadClock::time_point origin) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << "conn " << sample.connection << " #"
      << sample.sequence << " sent +" << ms_between(origin, sample.sent) << " ms, answered +"
      << ms_between(origin, sample.received) << " ms: status " << sample.status;
  if (!sample.error.empty()) out << " (" << sample.error << ")";
  if (!sample.ficus_target.empty()) out << " target " << sample.ficus_target;
  if (!sample.upstream_name.empty()) out << " from " << sample.upstream_name;
  if (!sample.body.empty()) out << " body " << sample.body;
  return out.str();
}

double ms_between(LoadClock::time_point from, LoadClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

}  // namespace ficus::testing
