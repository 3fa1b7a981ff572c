// CutoverService: the cutover engine inside `ficus serve`. One RampMachine per route with a
// "cutover" plan, ticked twice a second by an Asio timer on the proxy's control thread (where the
// admin API runs too, so the engine and the API never race).
//
// It gives each machine its environment: the route's share from the flag files, share changes
// through the control plane's own split/kill/restore path (so the expand/contract guards, the flag
// file write, the reload and the audit entry are exactly those of the admin API, with actor
// "cutover" for the engine's own steps), the old-vs-new comparison window, the audit log, and the
// state file (state_file.h). It keeps each route's full_since (when the share reached 100 %) and
// publishes the ficus_cutover_* gauges.
//
// Admin API (the bearer token applies as to every admin endpoint):
//   GET  /admin/cutovers                   {"cutovers": [status, ...]}: every route with a plan
//   GET  /admin/cutovers/{route}           status; any configured route ("state": "none" without
//                                          a plan); 404 for an unknown route
//   POST /admin/cutovers/{route}/start     body optional: {"reason": "...", "force": false}
//   POST /admin/cutovers/{route}/pause     {"reason": "..."}
//   POST /admin/cutovers/{route}/resume    {"reason": "..."}
//   POST /admin/cutovers/{route}/promote   {"reason": "...", "full": true} (full: straight to 100
//   %) POST /admin/cutovers/{route}/abort     {"reason": "...", "force": true} (force: past
//   contract)
// A POST answers 200 with the status after the action, 409 with {"error"} when the action does
// not fit the state or a guard refuses the share change. The actor is X-Ficus-Actor, else "admin".
//
// status: {"route", "state": "pending|progressing|paused|failed|complete|none", "step_index",
//   "steps", "share_percent", "killed", "time_in_step_s", "step_interval_s", "full_since",
//   "full_for_s", "paused_reason", "rolling_back", "insufficient_intervals", "last_gates",
//   "expand_missing", "contract_applied", "history_error"}
//
//   CutoverService cutover({.control = io, .routes = routes, .control_plane = control, ...});
//   cutover.register_endpoints(admin);
//   if (auto error = cutover.start(); !error.empty()) spdlog::error("{}", error);
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "config/route_table.h"
#include "config/snapshot.h"
#include "cutover/cutover_metrics.h"
#include "cutover/ramp_machine.h"
#include "cutover/share_guard.h"
#include "cutover/state_file.h"
#include "proxy/admin_server.h"
#include "proxy/asio.h"
#include "proxy/control/control_plane.h"
#include "proxy/metrics/comparison_window.h"

namespace ficus::cutover {

class CutoverService {
 public:
  struct Parts {
    proxy::net::io_context& control;  // the thread the admin API runs on
    const Snapshot<config::RouteTable>& routes;
    proxy::control::ControlPlane& control_plane;
    const proxy::metrics::ComparisonWindow& comparison;
    prometheus::Registry* registry = nullptr;  // null: no ficus_cutover_* gauges
    std::filesystem::path state_file;
    MigrationHistoryReader history = read_applied_migrations;
    std::chrono::milliseconds tick_interval{500};
  };

  explicit CutoverService(Parts parts);
  ~CutoverService();
  CutoverService(const CutoverService&) = delete;
  CutoverService& operator=(const CutoverService&) = delete;

  // Loads the state file, builds a ramp per planned route (resuming where it stood), finishes a
  // share change a crash interrupted, and starts ticking. Returns "" or what was wrong with the
  // state file: it is then moved aside (FILE.unreadable) and every plan starts pending, which
  // changes no share.
  std::string start();
  void stop();

  // Registers /admin/cutovers and /admin/cutovers/.
  void register_endpoints(proxy::AdminServer& admin);
  proxy::AdminReply handle(const proxy::AdminRequest& request);

  // One pass of the engine (what the timer runs).
  void tick();

 private:
  class RouteEnvironment;
  struct Ramp {
    std::unique_ptr<RouteEnvironment> environment;
    std::unique_ptr<RampMachine> machine;
  };

  void schedule();
  // Follows config reloads: ramps for new plans, plan changes, plans removed.
  void sync_routes();
  void observe_shares();
  nlohmann::json status(const config::RouteConfig& route);
  proxy::AdminReply act(const config::RouteConfig& route, const std::string& action,
                        const proxy::AdminRequest& request);

  // For RouteEnvironment.
  double share_percent(const std::string& route) const;
  bool killed(const std::string& route) const;
  Outcome set_share(const std::string& route, const ShareChange& change);
  proxy::metrics::Comparison compare(const std::string& route, std::chrono::seconds window);
  void record(const std::string& route, const RampEvent& event);
  void save(const std::string& route, const RampProgress& progress);
  std::string write_state();

  Parts parts_;
  CutoverStateFile file_;
  std::unique_ptr<CutoverMetrics> metrics_;
  proxy::net::steady_timer timer_;
  bool running_ = false;
  std::uint64_t routes_generation_ = 0;
  std::map<std::string, Ramp, std::less<>> ramps_;
  SavedState saved_;
  std::chrono::steady_clock::time_point last_save_{};
};

}  // namespace ficus::cutover
