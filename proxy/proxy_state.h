// ProxyState: what every worker reads and nothing on the request path writes, except counters.
//
// The route table (which owns its ProxyConfig) is an immutable Snapshot, replaced whole on reload;
// a request loads it once and keeps that version to the end.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "config/route_table.h"
#include "config/snapshot.h"
#include "proxy/access_log.h"

namespace ficus::proxy {

class TargetChooser;
namespace metrics {
class ProxyMetrics;
class ComparisonWindow;
}  // namespace metrics

struct ProxyState {
  Snapshot<config::RouteTable> routes;
  // Set once before the workers start; never null while they run.
  metrics::ProxyMetrics* metrics = nullptr;
  metrics::ComparisonWindow* comparison = nullptr;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> open_connections{0};
  AccessLog access_log;
  const TargetChooser* chooser = nullptr;  // set once before workers start
};

}  // namespace ficus::proxy
