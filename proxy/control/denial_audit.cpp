#include "proxy/control/denial_audit.h"

#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "proxy/control/audit_log.h"

namespace ficus::proxy::control {
namespace {

std::string action_of(AdminDenial::Kind kind) {
  switch (kind) {
    case AdminDenial::Kind::unauthenticated:
      return "auth-failed";
    case AdminDenial::Kind::read_only:
      return "auth-refused";
    case AdminDenial::Kind::suppressed:
      break;
  }
  return "auth-failures-suppressed";
}

}  // namespace

void audit_admin_denials(AdminServer& admin, std::filesystem::path audit_log_path) {
  auto audit = std::make_shared<AuditLog>(std::move(audit_log_path));
  admin.on_denied([audit](const AdminDenial& denial) {
    const bool summary = denial.kind == AdminDenial::Kind::suppressed;
    AuditEntry entry;
    entry.actor = denial.actor;
    if (denial.kind == AdminDenial::Kind::read_only) {
      entry.token = std::string(to_string(AdminCredential::read_only));
    }
    entry.action = action_of(denial.kind);
    entry.reason = summary ? denial.reason
                           : fmt::format("{}: {} {} from {}", denial.reason, denial.method,
                                         denial.path, denial.remote);
    if (auto error = audit->append(std::move(entry)); !error.empty()) {
      spdlog::error("admin: a refused request could not be audited: {}", error);
    }
  });
}

}  // namespace ficus::proxy::control
