#include "cutover/ramp_progress.h"

namespace ficus::cutover {

using nlohmann::json;

std::string_view to_string(RampState state) {
  switch (state) {
    case RampState::pending:
      return "pending";
    case RampState::progressing:
      return "progressing";
    case RampState::paused:
      return "paused";
    case RampState::failed:
      return "failed";
    case RampState::complete:
      return "complete";
  }
  return "pending";
}

std::optional<RampState> parse_ramp_state(std::string_view text) {
  for (RampState state : kAllRampStates) {
    if (to_string(state) == text) return state;
  }
  return std::nullopt;
}

json RampProgress::to_json() const {
  return {{"state", to_string(state)},
          {"step_index", step_index},
          {"share_percent", share_percent},
          {"applying", applying},
          {"time_in_step_ms", time_in_step.count()},
          {"time_in_interval_ms", time_in_interval.count()},
          {"insufficient_intervals", insufficient_intervals},
          {"rolling_back", rolling_back},
          {"reason", reason},
          {"last_gates", last_gates ? last_gates->to_json() : json(nullptr)}};
}

std::optional<RampProgress> RampProgress::from_json(const json& value, std::string& error) {
  if (!value.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  RampProgress progress;
  try {
    const auto state = parse_ramp_state(value.at("state").get<std::string>());
    if (!state) {
      error = "state: \"" + value.at("state").get<std::string>() +
              "\" is not pending, progressing, paused, failed or complete";
      return std::nullopt;
    }
    progress.state = *state;
    progress.step_index = value.at("step_index").get<std::size_t>();
    progress.share_percent = value.value("share_percent", 0.0);
    progress.applying = value.value("applying", false);
    progress.time_in_step = std::chrono::milliseconds(value.value("time_in_step_ms", 0LL));
    progress.time_in_interval = std::chrono::milliseconds(value.value("time_in_interval_ms", 0LL));
    progress.insufficient_intervals = value.value("insufficient_intervals", 0U);
    progress.rolling_back = value.value("rolling_back", false);
    progress.reason = value.value("reason", "");
    if (value.contains("last_gates"))
      progress.last_gates = GateResult::from_json(value["last_gates"]);
  } catch (const json::exception& e) {
    error = e.what();
    return std::nullopt;
  }
  return progress;
}

}  // namespace ficus::cutover
