// The /admin/compare answer as a text table, for `ficus flags status`: old and new side by side per
// route, then the delta and the verdict.
//
//   std::cout << render_compare_table(nlohmann::json::parse(reply_body));
//
//   ROUTE   TARGET  REQUESTS  RATE/S  ERRORS  P50 MS  P95 MS  P99 MS  VERDICT
//   orders  old         1200    4.00   0.50%    12.0    30.1    45.0
//           new          130    0.43  12.31%    14.2    80.3   210.0  new-worse
//           delta      -1070   -3.57  +11.81    +2.2   +50.2  +165.0  new error rate 12.31% ...
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace ficus::proxy::metrics {

// Accepts either form compare_endpoint() returns (one route, or {"routes": [...]}).
std::string render_compare_table(const nlohmann::json& reply);

}  // namespace ficus::proxy::metrics
