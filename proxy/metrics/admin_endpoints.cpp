#include "proxy/metrics/admin_endpoints.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

namespace ficus::proxy::metrics {
namespace {

AdminText json_text(unsigned status, const nlohmann::json& body) {
  return {status, std::string(kJsonType), body.dump(2) + "\n"};
}

AdminText bad_request(std::string message) {
  return json_text(400, {{"error", std::move(message)}});
}

template <typename Int>
std::optional<Int> parse_number(std::string_view text) {
  Int value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "300", "300s", "5m", "1h" -> seconds.
std::optional<std::int64_t> parse_window(std::string_view text) {
  std::int64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 's':
        unit = 1;
        text.remove_suffix(1);
        break;
      case 'm':
        unit = 60;
        text.remove_suffix(1);
        break;
      case 'h':
        unit = 3600;
        text.remove_suffix(1);
        break;
      default:
        break;
    }
  }
  auto n = parse_number<std::int64_t>(text);
  if (!n || *n > 1'000'000) return std::nullopt;
  return *n * unit;
}

}  // namespace

AdminText metrics_endpoint(const ProxyMetrics& metrics) {
  return {200, std::string(kPrometheusTextType), metrics.scrape()};
}

AdminText compare_endpoint(const ComparisonWindow& window, std::string_view target,
                           const VerdictRule& rule, ComparisonWindow::Clock::time_point now) {
  if (!window.recording()) {
    return json_text(503, {{"error",
                            "per-request metrics are off (\"metrics\": {\"enabled\": false} in the "
                            "config): there is nothing to compare; enable them and restart"}});
  }
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return bad_request("request target is not a valid URL path and query");

  std::optional<std::string> route;
  std::int64_t window_s = ComparisonWindow::kDefaultWindow.count();
  VerdictRule effective = rule;
  for (const auto& param : url->params()) {
    if (param.key == "route") {
      route = param.value;
    } else if (param.key == "window") {
      auto seconds = parse_window(param.value);
      if (!seconds || *seconds < 1 || *seconds > window.capacity().count()) {
        return bad_request(
            fmt::format("window: expected seconds between 1 and {} (e.g. 300, 5m), got \"{}\"",
                        window.capacity().count(), param.value));
      }
      window_s = *seconds;
    } else if (param.key == "min") {
      auto min = parse_number<std::uint64_t>(param.value);
      if (!min) {
        return bad_request(
            fmt::format("min: expected a whole number of requests, got \"{}\"", param.value));
      }
      effective.min_requests = *min;
    } else {
      return bad_request(
          fmt::format("unknown parameter \"{}\" (known: route, window, min)", param.key));
    }
  }

  const std::vector<std::string> routes = window.routes();
  const std::chrono::seconds span{window_s};
  if (route) {
    if (std::find(routes.begin(), routes.end(), *route) == routes.end()) {
      return bad_request(
          fmt::format("route: unknown route \"{}\" (known: {})", *route,
                      routes.empty() ? "none" : fmt::format("{}", fmt::join(routes, ", "))));
    }
    return json_text(200, to_json(window.compare(*route, span, effective, now)));
  }
  nlohmann::json all = nlohmann::json::array();
  for (const std::string& name : routes) {
    all.push_back(to_json(window.compare(name, span, effective, now)));
  }
  return json_text(200, {{"window_s", window_s},
                         {"min_requests", effective.min_requests},
                         {"routes", std::move(all)}});
}

}  // namespace ficus::proxy::metrics
