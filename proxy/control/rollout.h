// Rollout: what a route's flag says about old vs new right now: the configured share of new, the
// fractional weights as written, and whether the flag is enabled (a DISABLED flag is the kill
// switch: everything goes to old).
//
// The control plane reports it in GET /admin/routes, records it as "before"/"after" in the audit
// log, and compares two of them to notice hand edits of the flag file.
//
//   const ficus::flags::Flag* flag = store.current()->find("orders-cutover");
//   Rollout now = rollout_of(*flag);   // {enabled, new_share 0.125, weights {"old":875000,...}}
//   audit["after"] = now.to_json();
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "flags/flag_set.h"

namespace ficus::proxy::control {

struct Rollout {
  bool enabled = true;  // "state": "ENABLED"; false = killed
  // Share of new, 0..1, from the first fractional in the targeting (its weights for the "new"
  // variant over the total); without targeting 1 or 0 from the default variant. nullopt when
  // the flag does not say (weights are rules, or targeting without a fractional).
  std::optional<double> new_share;
  // The first fractional's weights by variant name, e.g. {"new": 125000, "old": 875000}; null
  // when there is no fractional.
  nlohmann::json weights;

  // {"state": "ENABLED"|"DISABLED", "new_percent": 12.5|null, "weights": {...}|null}
  nlohmann::json to_json() const;
  bool operator==(const Rollout& other) const {
    return enabled == other.enabled && new_share == other.new_share && weights == other.weights;
  }
};

Rollout rollout_of(const flags::Flag& flag);

// 0.125 -> 12.5, rounded to the 0.0001 % resolution of the weights.
double share_to_percent(double share);

}  // namespace ficus::proxy::control
