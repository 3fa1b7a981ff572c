#include "cutover/cutover_metrics.h"

#include <prometheus/gauge.h>

namespace ficus::cutover {

CutoverMetrics::CutoverMetrics(prometheus::Registry& registry)
    : step_(prometheus::BuildGauge()
                .Name("ficus_cutover_step")
                .Help("Index of the cutover plan's current step (0 = the first step)")
                .Register(registry)),
      state_(prometheus::BuildGauge()
                 .Name("ficus_cutover_state")
                 .Help("1 for the cutover's current state (pending, progressing, paused, failed, "
                       "complete), 0 for the others")
                 .Register(registry)),
      gate_(prometheus::BuildGauge()
                .Name("ficus_cutover_gate_result")
                .Help("1 if the gate passed at the last judgement of the cutover, 0 if it failed")
                .Register(registry)) {}

void CutoverMetrics::update(const std::string& route, const RampProgress& progress) {
  auto& gauges = routes_[route];
  if (gauges.step == nullptr) {
    gauges.step = &step_.Add({{"route", route}});
    for (RampState state : kAllRampStates) {
      gauges.states[state] =
          &state_.Add({{"route", route}, {"state", std::string(to_string(state))}});
    }
  }
  gauges.step->Set(static_cast<double>(progress.step_index));
  for (auto& [state, gauge] : gauges.states) gauge->Set(state == progress.state ? 1 : 0);
  if (!progress.last_gates) return;
  for (const auto& check : progress.last_gates->checks) {
    auto& gauge = gauges.gates[check.gate];
    if (gauge == nullptr) gauge = &gate_.Add({{"route", route}, {"gate", check.gate}});
    gauge->Set(check.pass ? 1 : 0);
  }
}

void CutoverMetrics::remove(const std::string& route) {
  auto it = routes_.find(route);
  if (it == routes_.end()) return;
  if (it->second.step != nullptr) step_.Remove(it->second.step);
  for (auto& [state, gauge] : it->second.states) state_.Remove(gauge);
  for (auto& [gate, gauge] : it->second.gates) gate_.Remove(gauge);
  routes_.erase(it);
}

}  // namespace ficus::cutover
