#include "cutover/gate_check.h"

#include <algorithm>

#include <fmt/format.h>

namespace ficus::cutover {
namespace {

using nlohmann::json;

constexpr std::string_view kMinRequests = "min_requests";
constexpr std::string_view kErrorRateDelta = "max_error_rate_delta";
constexpr std::string_view kP99Ratio = "max_p99_ratio";

json stats_json(const metrics::TargetStats& stats) {
  return {{"requests", stats.requests},
          {"errors", stats.errors},
          {"error_rate", stats.error_rate},
          {"p99_ms", stats.p99_s * 1000.0}};
}

metrics::TargetStats stats_from(const json& value) {
  metrics::TargetStats stats;
  if (!value.is_object()) return stats;
  stats.requests = value.value("requests", std::uint64_t{0});
  stats.errors = value.value("errors", std::uint64_t{0});
  stats.error_rate = value.value("error_rate", 0.0);
  stats.p99_s = value.value("p99_ms", 0.0) / 1000.0;
  return stats;
}

std::string target_text(const metrics::TargetStats& stats) {
  return fmt::format("{:.1f}% errors of {}, p99 {:.1f} ms", stats.error_rate * 100.0,
                     stats.requests, stats.p99_s * 1000.0);
}

}  // namespace

std::string_view to_string(GateVerdict verdict) {
  switch (verdict) {
    case GateVerdict::pass:
      return "pass";
    case GateVerdict::fail:
      return "fail";
    case GateVerdict::insufficient_data:
      break;
  }
  return "insufficient-data";
}

metrics::VerdictRule verdict_rule_for(const config::CutoverGates& gates) {
  metrics::VerdictRule rule;
  rule.min_requests = gates.min_requests;
  rule.max_error_rate_delta = gates.max_error_rate_delta;
  rule.max_p99_ratio = gates.max_p99_ratio;
  rule.min_p99_delta_s = kMinP99DeltaSeconds;
  return rule;
}

GateResult judge_gates(const metrics::Comparison& comparison, const config::CutoverGates& gates) {
  GateResult result;
  result.window = comparison.window;
  result.old_target = comparison.old_target;
  result.new_target = comparison.new_target;

  const auto fewest = std::min(comparison.old_target.requests, comparison.new_target.requests);
  const bool enough = fewest >= gates.min_requests;
  result.checks.push_back({std::string(kMinRequests), static_cast<double>(gates.min_requests),
                           static_cast<double>(fewest), enough});

  const double delta = comparison.error_rate_delta();
  result.checks.push_back(
      {std::string(kErrorRateDelta), gates.max_error_rate_delta, delta,
       comparison.new_target.requests == 0 || delta <= gates.max_error_rate_delta});

  const auto ratio = comparison.p99_ratio();
  const double slower_by = comparison.new_target.p99_s - comparison.old_target.p99_s;
  const bool p99_pass = !ratio || *ratio <= gates.max_p99_ratio || slower_by < kMinP99DeltaSeconds;
  result.checks.push_back({std::string(kP99Ratio), gates.max_p99_ratio, ratio, p99_pass});

  if (!enough) {
    result.verdict = GateVerdict::insufficient_data;
  } else {
    const bool all_pass = std::all_of(result.checks.begin(), result.checks.end(),
                                      [](const GateCheck& check) { return check.pass; });
    result.verdict = all_pass ? GateVerdict::pass : GateVerdict::fail;
  }
  return result;
}

std::string GateResult::summary() const {
  std::string failed;
  for (const auto& check : checks) {
    if (check.pass) continue;
    if (!failed.empty()) failed += ", ";
    if (check.gate == kMinRequests) {
      failed += fmt::format("fewer than {} requests per target", check.limit);
    } else if (check.value) {
      failed += fmt::format("{} {:.4g} > {:.4g}", check.gate, *check.value, check.limit);
    } else {
      failed += check.gate;
    }
  }
  return fmt::format("{} over {} s{}{} (old {}; new {})", to_string(verdict), window.count(),
                     failed.empty() ? "" : ": ", failed, target_text(old_target),
                     target_text(new_target));
}

json GateResult::to_json() const {
  json list = json::array();
  for (const auto& check : checks) {
    list.push_back({{"gate", check.gate},
                    {"limit", check.limit},
                    {"value", check.value ? json(*check.value) : json(nullptr)},
                    {"pass", check.pass}});
  }
  return {{"verdict", to_string(verdict)},
          {"window_s", window.count()},
          {"old", stats_json(old_target)},
          {"new", stats_json(new_target)},
          {"checks", std::move(list)}};
}

std::optional<GateResult> GateResult::from_json(const json& value) {
  if (!value.is_object() || !value.contains("verdict") || !value["verdict"].is_string()) {
    return std::nullopt;
  }
  GateResult result;
  const auto verdict = value["verdict"].get<std::string>();
  if (verdict == "pass") {
    result.verdict = GateVerdict::pass;
  } else if (verdict == "fail") {
    result.verdict = GateVerdict::fail;
  } else if (verdict == "insufficient-data") {
    result.verdict = GateVerdict::insufficient_data;
  } else {
    return std::nullopt;
  }
  result.window = std::chrono::seconds(value.value("window_s", std::int64_t{0}));
  result.old_target = stats_from(value.value("old", json()));
  result.new_target = stats_from(value.value("new", json()));
  for (const auto& check : value.value("checks", json::array())) {
    if (!check.is_object()) continue;
    GateCheck parsed;
    parsed.gate = check.value("gate", "");
    parsed.limit = check.value("limit", 0.0);
    if (check.contains("value") && check["value"].is_number()) {
      parsed.value = check["value"].get<double>();
    }
    parsed.pass = check.value("pass", false);
    result.checks.push_back(std::move(parsed));
  }
  return result;
}

}  // namespace ficus::cutover
