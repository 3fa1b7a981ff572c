// CutoverMetrics: the cutover engine's Prometheus gauges, in the proxy's registry so /metrics
// exports them with everything else.
//
//   ficus_cutover_step{route}                index into the plan's steps (0 = first step)
//   ficus_cutover_state{route,state}         1 for the route's current state, 0 for the others
//                                            (pending, progressing, paused, failed, complete)
//   ficus_cutover_gate_result{route,gate}    1 when the gate passed at the last judgement, 0 when
//                                            it failed (gate: min_requests,
//                                            max_error_rate_delta, max_p99_ratio); absent before
//                                            the first judgement
//
// Only routes with a plan have series; a route whose plan leaves the config loses them.
//
//   CutoverMetrics metrics(proxy_metrics.registry());
//   metrics.update("orders", machine.progress());
#pragma once

#include <map>
#include <string>

#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "cutover/ramp_progress.h"

namespace ficus::cutover {

class CutoverMetrics {
 public:
  explicit CutoverMetrics(prometheus::Registry& registry);
  CutoverMetrics(const CutoverMetrics&) = delete;
  CutoverMetrics& operator=(const CutoverMetrics&) = delete;

  void update(const std::string& route, const RampProgress& progress);
  void remove(const std::string& route);

 private:
  struct RouteGauges {
    prometheus::Gauge* step = nullptr;
    std::map<RampState, prometheus::Gauge*> states;
    std::map<std::string, prometheus::Gauge*> gates;
  };

  prometheus::Family<prometheus::Gauge>& step_;
  prometheus::Family<prometheus::Gauge>& state_;
  prometheus::Family<prometheus::Gauge>& gate_;
  std::map<std::string, RouteGauges> routes_;
};

}  // namespace ficus::cutover
