#include "proxy/metrics/compare_table.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ficus::proxy::metrics {
namespace {

constexpr std::string_view kRow = "{:<16} {:<6} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8}  {}\n";

void render_route(std::string& out, const nlohmann::json& c) {
  auto side = [&](std::string_view route, std::string_view name, const nlohmann::json& s,
                  std::string_view tail) {
    out += fmt::format(kRow, route, name, s.value("requests", 0),
                       fmt::format("{:.2f}", s.value("rate_per_s", 0.0)),
                       fmt::format("{:.2f}%", s.value("error_rate", 0.0) * 100),
                       fmt::format("{:.1f}", s.value("p50_ms", 0.0)),
                       fmt::format("{:.1f}", s.value("p95_ms", 0.0)),
                       fmt::format("{:.1f}", s.value("p99_ms", 0.0)), tail);
  };
  const nlohmann::json& old_side = c.at("old");
  const nlohmann::json& new_side = c.at("new");
  side(c.value("route", ""), "old", old_side, "");
  side("", "new", new_side, c.value("verdict", ""));
  const nlohmann::json& d = c.at("delta");
  out += fmt::format(
      kRow, "", "delta", fmt::format("{:+d}", d.value("requests", std::int64_t{0})),
      fmt::format("{:+.2f}", new_side.value("rate_per_s", 0.0) - old_side.value("rate_per_s", 0.0)),
      fmt::format("{:+.2f}", d.value("error_rate", 0.0) * 100),
      fmt::format("{:+.1f}", d.value("p50_ms", 0.0)),
      fmt::format("{:+.1f}", d.value("p95_ms", 0.0)),
      fmt::format("{:+.1f}", d.value("p99_ms", 0.0)), c.value("reason", ""));
}

}  // namespace

std::string render_compare_table(const nlohmann::json& reply) {
  std::string out = fmt::format(kRow, "ROUTE", "TARGET", "REQUESTS", "RATE/S", "ERRORS", "P50 MS",
                                "P95 MS", "P99 MS", "VERDICT");
  if (reply.contains("routes")) {
    for (const nlohmann::json& c : reply.at("routes")) render_route(out, c);
  } else {
    render_route(out, reply);
  }
  return out;
}

}  // namespace ficus::proxy::metrics
