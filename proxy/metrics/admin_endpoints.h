// The admin listener's metrics endpoints, as plain functions: status, content type and body.
// The admin server (proxy/admin_server.h) wraps them into HTTP responses, so this library needs
// no Beast.
//
//   admin.handle("/metrics", [&](const AdminRequest&) { return wrap(metrics_endpoint(metrics)); });
//   admin.handle("/admin/compare", [&](const AdminRequest& r) {
//     return wrap(compare_endpoint(window, r.target(), VerdictRule{}));
//   });
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "proxy/metrics/comparison.h"
#include "proxy/metrics/comparison_window.h"
#include "proxy/metrics/proxy_metrics.h"

namespace ficus::proxy::metrics {

struct AdminText {
  unsigned status = 200;
  std::string content_type;
  std::string body;
};

inline constexpr std::string_view kPrometheusTextType = "text/plain; version=0.0.4; charset=utf-8";
inline constexpr std::string_view kJsonType = "application/json";

// GET /metrics: 200, Prometheus text format.
AdminText metrics_endpoint(const ProxyMetrics& metrics);

// GET /admin/compare?route=R&window=S&min=N. `target` is the request target (path and query).
//   route   optional; a configured route. Absent: every route, as {"window_s","routes":[...]}.
//   window  optional, default 300: seconds, or a number with s/m/h ("90", "5m", "1h");
//           1 s .. the window's capacity.
//   min     optional, default rule.min_requests: the minimum requests per target.
// 200 with to_json(Comparison) for one route; 400 with {"error": "..."} naming the bad parameter
// (unknown route: the known ones are listed); 503 when the window does not record (metrics off).
AdminText compare_endpoint(
    const ComparisonWindow& window, std::string_view target, const VerdictRule& rule = {},
    ComparisonWindow::Clock::time_point now = ComparisonWindow::Clock::now());

}  // namespace ficus::proxy::metrics
