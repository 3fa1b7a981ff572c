// AuditLog: the append-only JSON-lines record of every traffic-split change, who made it and why.
//
// One line per change: {"time", "actor", "token", "action", "route", "flag", "before", "after",
// "reason"}. Refused admin requests are recorded too (actions "auth-failed", "auth-refused",
// "auth-failures-suppressed"; see proxy/control/denial_audit.h). append() writes the whole line
// with one write() on an O_APPEND descriptor and fsyncs it (and the folder, when it created the
// file) before it returns, so an acknowledged change is on disk and concurrent appenders (threads
// here, or another process) never interleave within a line. A mutex serialises appends in this
// process; this is control-plane work, never on the request path. The file is opened per append, so
// rotating it (rename + new file) needs no signal.
//
//   AuditLog log("/var/lib/ficus/ficus-audit.jsonl");
//   log.append({.actor = "alice", .action = "split", .route = "orders", .flag = "orders-cutover",
//               .before = b.to_json(), .after = a.to_json(), .reason = "ramp to 12.5%"});
//   auto entries = log.read({.route = "orders", .since = "2026-11-24T22:00"});
#pragma once

#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ficus::proxy::control {

struct AuditEntry {
  std::string time;   // empty: append() fills in now, as "2026-11-24T22:47:03.123Z"
  std::string actor;  // X-Ficus-Actor, "admin", or "file" for hand edits
  // Which admin token the request carried: "admin", "read-only", or "none" (no token configured);
  // empty (written as null) when no token was involved (hand edits, unauthenticated requests).
  // The initializer lets designated initializers that predate the field leave it out.
  std::string token = {};
  std::string action;  // "split", "kill", "restore", "file-edit", "auth-failed", ...
  std::string route;
  std::string flag;
  nlohmann::json before;  // Rollout::to_json(), null when the flag did not exist
  nlohmann::json after;
  std::string reason;
  nlohmann::json to_json() const;
};

struct AuditQuery {
  std::string route;  // empty: every route
  std::string since;  // a UTC time prefix ("2026-11-24", "2026-11-24T22:00:00Z"); empty: all
};

class AuditLog {
 public:
  explicit AuditLog(std::filesystem::path path);

  // Returns "" or why the entry could not be made durable (the caller reports it; the change it
  // describes has already happened).
  std::string append(AuditEntry entry);
  // Entries matching `query`, oldest first. A line that is not JSON (e.g. a torn write from a
  // crash) is skipped. A missing file is an empty trail.
  std::vector<nlohmann::json> read(const AuditQuery& query) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  mutable std::mutex mutex_;
};

// Now in UTC as "YYYY-MM-DDTHH:MM:SS.mmmZ"; these sort as text in time order.
std::string audit_time_now();

}  // namespace ficus::proxy::control
