// ControlPlane: the traffic-split admin API: list routes, set a route's share of new, kill and
// restore, and read the audit trail. Every change is written to the flag's source file first
// (flags/flag_file_editor.h), applied with FlagStore::reload_now() and recorded in the audit log
// before the API answers, so an acknowledged change is in effect, durable and audited.
//
//   GET  /admin/routes                 every route: flag, new_percent, state, targets
//   GET  /admin/routes/{name}          one route
//   PUT  /admin/routes/{name}/split    {"percent": 12.5, "reason": "..."}
//   POST /admin/routes/{name}/kill     {"reason": "..."} (body optional): flag state DISABLED
//   POST /admin/routes/{name}/restore  {"reason": "..."} (body optional): flag state ENABLED
//   GET  /admin/audit?route=R&since=T  T: UTC time prefix ("2026-11-24T22:00") or "30m", "2h", "7d"
//
// The actor is the X-Ficus-Actor header, else "admin". Edits made to the flag file by other means
// are noticed on reload (FlagStore::on_change) and recorded with actor "file". Bad input gets a
// 4xx whose "error" names the field and what to do, and changes nothing.
//
// Construct it after the FlagStore and the AdminServer's ProxyState; it may be destroyed before
// the store (its change listener then does nothing).
//
//   control::ControlPlane control(state.routes, flag_store, config.audit_log.path);
//   control.register_endpoints(admin);
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/route_table.h"
#include "config/snapshot.h"
#include "flags/flag_store.h"
#include "proxy/admin_server.h"
#include "proxy/control/audit_log.h"
#include "proxy/control/rollout.h"

namespace ficus::proxy::control {

struct RouteStatus {
  std::string route;
  std::string flag;                 // empty: the route has no flag (always old)
  bool flag_defined = false;        // the flag exists in the current flag set
  std::string flag_source;          // the file that defines it (where a split is written)
  std::optional<double> new_share;  // configured share of new, 0..1 (see Rollout)
  bool killed = false;              // flag state DISABLED: everything goes to old
  std::string old_upstream;
  std::string new_upstream;
  nlohmann::json to_json() const;
};

// A split, kill or restore as the share guard sees it: the route's effective share of new before
// and after (killed counts as 0), and whether the request said "force": true.
struct ShareMove {
  const config::RouteConfig& route;
  double from_percent = 0;
  double to_percent = 0;
  bool force = false;
};

struct ShareGuardVerdict {
  std::string refusal{};  // non-empty: the change is refused with 409 and this message
  std::string forced{};   // non-empty: allowed only because forced; what was overridden (audited)
};

// Rules a change must pass before it is written (the cutover plans' migration gates).
using ShareGuard = std::function<ShareGuardVerdict(const ShareMove&)>;

class ControlPlane {
 public:
  ControlPlane(const Snapshot<config::RouteTable>& routes, flags::FlagStore& store,
               std::filesystem::path audit_log_path);
  ~ControlPlane();
  ControlPlane(const ControlPlane&) = delete;
  ControlPlane& operator=(const ControlPlane&) = delete;

  // Registers /admin/routes, /admin/routes/ and /admin/audit.
  void register_endpoints(AdminServer& admin);

  std::vector<RouteStatus> route_statuses() const;

  // The handlers register_endpoints() installs; public so they can be driven without a socket.
  AdminReply handle_routes(const AdminRequest& request);  // /admin/routes and everything below
  AdminReply handle_audit(const AdminRequest& request) const;

  AuditLog& audit_log() { return audit_; }

  // Consulted under the change lock before every split, kill and restore. A forced change is
  // audited with action "<action>-forced" and what was overridden in its reason.
  void set_share_guard(ShareGuard guard) { share_guard_ = std::move(guard); }

 private:
  struct ListenerGuard;

  AdminReply change(const AdminRequest& request, const config::RouteConfig& route,
                    const std::string& action);
  void on_flags_changed(const flags::FlagSet& before, const flags::FlagSet& after);
  RouteStatus status_of(const config::RouteConfig& route, const flags::FlagSet& set) const;

  const Snapshot<config::RouteTable>& routes_;
  flags::FlagStore& store_;
  AuditLog audit_;
  std::mutex change_mutex_;  // one API change at a time: edit, reload, audit
  // The rollout each API edit wrote, by flag key, so the reload it causes is not also recorded
  // as a hand edit. Held across the file edit, so the listener cannot see the new file first.
  std::mutex expected_mutex_;
  std::map<std::string, Rollout, std::less<>> expected_;
  std::shared_ptr<ListenerGuard> listener_guard_;
  ShareGuard share_guard_;
};

}  // namespace ficus::proxy::control
