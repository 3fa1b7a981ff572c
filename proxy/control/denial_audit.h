// Records refused admin requests (proxy/admin_server.h, on_denied) in the audit log, next to the
// changes: an operator reading the trail sees who tried and failed as well as who succeeded.
//
// Entries: action "auth-failed" (401: no or a wrong token, actor "unauthenticated"),
// "auth-refused" (403: the read-only token asked for a change, actor X-Ficus-Actor or
// "read-only") and "auth-failures-suppressed" (the rate limit's summary, actor "ficus"). The reason
// names the method, path and client address, never the presented token.
//
//   control::audit_admin_denials(parts.admin, config.audit_log.path);
#pragma once

#include <filesystem>

#include "proxy/admin_server.h"

namespace ficus::proxy::control {

// Installs the hook; the audit log it writes lives as long as `admin` keeps the hook.
void audit_admin_denials(AdminServer& admin, std::filesystem::path audit_log_path);

}  // namespace ficus::proxy::control
