#include "proxy/metrics/comparison.h"

#include <cmath>

#include <fmt/format.h>

namespace ficus::proxy::metrics {
namespace {

nlohmann::json stats_json(const TargetStats& s) {
  return {{"requests", s.requests},     {"errors", s.errors},       {"rate_per_s", s.rate_per_s},
          {"error_rate", s.error_rate}, {"p50_ms", s.p50_s * 1000}, {"p95_ms", s.p95_s * 1000},
          {"p99_ms", s.p99_s * 1000}};
}

std::string percent(double rate) {
  return fmt::format("{:.2f}%", rate * 100);
}
std::string millis(double seconds) {
  return fmt::format("{:.1f} ms", seconds * 1000);
}

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::insufficient_data:
      return "insufficient-data";
    case Verdict::new_worse:
      return "new-worse";
    case Verdict::same:
      return "same";
    case Verdict::new_better:
      return "new-better";
  }
  return "insufficient-data";
}

std::optional<double> Comparison::p99_ratio() const {
  if (old_target.p99_s <= 0) return std::nullopt;
  return new_target.p99_s / old_target.p99_s;
}

void judge(Comparison& c) {
  const VerdictRule& r = c.rule;
  const TargetStats& o = c.old_target;
  const TargetStats& n = c.new_target;
  if (o.requests < r.min_requests || n.requests < r.min_requests) {
    c.verdict = Verdict::insufficient_data;
    c.reason = fmt::format("need {} requests per target in {} s, have old {} and new {}",
                           r.min_requests, c.window.count(), o.requests, n.requests);
    return;
  }
  const double p99_gap = n.p99_s - o.p99_s;
  if (c.error_rate_delta() > r.max_error_rate_delta) {
    c.verdict = Verdict::new_worse;
    c.reason =
        fmt::format("new error rate {} exceeds old {} by more than {:g} points",
                    percent(n.error_rate), percent(o.error_rate), r.max_error_rate_delta * 100);
  } else if (n.p99_s > o.p99_s * r.max_p99_ratio && p99_gap >= r.min_p99_delta_s) {
    c.verdict = Verdict::new_worse;
    c.reason = fmt::format("new p99 {} is more than {:g}x old {}", millis(n.p99_s), r.max_p99_ratio,
                           millis(o.p99_s));
  } else if (-c.error_rate_delta() > r.max_error_rate_delta) {
    c.verdict = Verdict::new_better;
    c.reason =
        fmt::format("new error rate {} is below old {} by more than {:g} points",
                    percent(n.error_rate), percent(o.error_rate), r.max_error_rate_delta * 100);
  } else if (n.p99_s * r.max_p99_ratio < o.p99_s && -p99_gap >= r.min_p99_delta_s) {
    c.verdict = Verdict::new_better;
    c.reason = fmt::format("new p99 {} is more than {:g}x faster than old {}", millis(n.p99_s),
                           r.max_p99_ratio, millis(o.p99_s));
  } else {
    c.verdict = Verdict::same;
    c.reason =
        fmt::format("error rates {} vs {} and p99 {} vs {} are within tolerance",
                    percent(o.error_rate), percent(n.error_rate), millis(o.p99_s), millis(n.p99_s));
  }
}

nlohmann::json to_json(const Comparison& c) {
  nlohmann::json delta = {{"requests", static_cast<std::int64_t>(c.new_target.requests) -
                                           static_cast<std::int64_t>(c.old_target.requests)},
                          {"error_rate", c.error_rate_delta()},
                          {"p50_ms", (c.new_target.p50_s - c.old_target.p50_s) * 1000},
                          {"p95_ms", (c.new_target.p95_s - c.old_target.p95_s) * 1000},
                          {"p99_ms", (c.new_target.p99_s - c.old_target.p99_s) * 1000}};
  const std::optional<double> ratio = c.p99_ratio();
  delta["p99_ratio"] = ratio ? nlohmann::json(*ratio) : nlohmann::json(nullptr);
  return {{"route", c.route},
          {"window_s", c.window.count()},
          {"min_requests", c.rule.min_requests},
          {"old", stats_json(c.old_target)},
          {"new", stats_json(c.new_target)},
          {"delta", std::move(delta)},
          {"verdict", to_string(c.verdict)},
          {"reason", c.reason}};
}

}  // namespace ficus::proxy::metrics
