#include "proxy/control/rollout.h"

#include <cmath>
#include <cstdint>

#include "flags/flag_file_editor.h"

namespace ficus::proxy::control {
namespace {

using nlohmann::json;

// Depth first, object keys in the parsed order; nullptr when there is none.
const json* find_fractional(const json& node) {
  if (node.is_object()) {
    if (auto it = node.find("fractional"); it != node.end() && it->is_array()) return &*it;
    for (const auto& [key, value] : node.items()) {
      if (const json* found = find_fractional(value)) return found;
    }
  } else if (node.is_array()) {
    for (const auto& element : node) {
      if (const json* found = find_fractional(element)) return found;
    }
  }
  return nullptr;
}

}  // namespace

json Rollout::to_json() const {
  return {{"state", enabled ? "ENABLED" : "DISABLED"},
          {"new_percent", new_share ? json(share_to_percent(*new_share)) : json(nullptr)},
          {"weights", weights}};
}

double share_to_percent(double share) {
  return std::round(share * 100.0 * 10'000.0) / 10'000.0;
}

Rollout rollout_of(const flags::Flag& flag) {
  Rollout rollout;
  rollout.enabled = flag.enabled;
  const json* fractional =
      flag.targeting_json.is_null() ? nullptr : find_fractional(flag.targeting_json);
  if (fractional == nullptr) {
    if (flag.targeting_json.is_null() || flag.targeting_json.empty()) {
      const flags::Variant* fallback = flag.default_value();
      rollout.new_share = fallback != nullptr && flags::is_new_value(fallback->value) ? 1.0 : 0.0;
    }
    return rollout;
  }
  rollout.weights = json::object();
  std::int64_t total = 0;
  std::int64_t to_new = 0;
  bool literal = true;
  for (const json& entry : *fractional) {
    if (!entry.is_array() || entry.empty() || !entry[0].is_string()) continue;
    const std::string& name = entry[0].get_ref<const std::string&>();
    std::int64_t weight = 1;  // flagd's default when the weight is left out
    if (entry.size() > 1) {
      if (!entry[1].is_number_integer()) {
        literal = false;
        continue;
      }
      weight = std::max<std::int64_t>(0, entry[1].get<std::int64_t>());
    }
    rollout.weights[name] = weight;
    total += weight;
    const flags::Variant* variant = flag.find_variant(name);
    if (variant != nullptr && flags::is_new_value(variant->value)) to_new += weight;
  }
  if (literal && total > 0) {
    rollout.new_share = static_cast<double>(to_new) / static_cast<double>(total);
  }
  return rollout;
}

}  // namespace ficus::proxy::control
