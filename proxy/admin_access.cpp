#include "proxy/admin_access.h"

#include <fmt/format.h>

#include "proxy/constant_time.h"

namespace ficus::proxy {
namespace {

constexpr std::string_view kBearer = "bearer";

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool is_read(http::verb method) {
  return method == http::verb::get || method == http::verb::head;
}

AdminAccess refuse(AdminAccess::Outcome outcome, AdminCredential credential, std::string message) {
  return {outcome, credential, std::move(message)};
}

}  // namespace

std::string_view to_string(AdminCredential credential) {
  switch (credential) {
    case AdminCredential::none:
      return "none";
    case AdminCredential::admin:
      return "admin";
    case AdminCredential::read_only:
      return "read-only";
    case AdminCredential::anonymous:
      break;
  }
  return "anonymous";
}

http::status AdminAccess::status() const {
  switch (outcome) {
    case Outcome::allowed:
      return http::status::ok;
    case Outcome::unauthenticated:
      return http::status::unauthorized;
    case Outcome::read_only:
      break;
  }
  return http::status::forbidden;
}

bool is_public_admin_path(std::string_view path) {
  return path == "/healthz" || path == "/readyz";
}

bool read_only_may(http::verb method, std::string_view path) {
  // OFREP evaluates flags with POST but changes nothing: a flag client needs no more than this.
  if (path.starts_with("/ofrep/")) return true;
  if (!is_read(method)) return false;
  return path == "/metrics" || path == "/admin/compare" || path == "/admin/config" ||
         path == "/admin/audit" || path == "/admin/routes" || path.starts_with("/admin/routes/") ||
         path == "/admin/cutovers" || path.starts_with("/admin/cutovers/");
}

AdminAccess authorize(const config::AdminConfig& admin, http::verb method, std::string_view path,
                      std::string_view authorization) {
  const bool open = admin.token.empty();
  if (open) return {AdminAccess::Outcome::allowed, AdminCredential::none, {}};

  AdminCredential presented = AdminCredential::anonymous;
  std::string problem;
  authorization = trim(authorization);
  if (authorization.empty()) {
    problem = "missing bearer token; send \"Authorization: Bearer TOKEN\"";
  } else if (authorization.size() <= kBearer.size() ||
             !beast::iequals(authorization.substr(0, kBearer.size()), kBearer) ||
             (authorization[kBearer.size()] != ' ' && authorization[kBearer.size()] != '\t')) {
    problem = "the Authorization header is not \"Bearer TOKEN\"";
  } else {
    const std::string_view token = trim(authorization.substr(kBearer.size()));
    // Both comparisons always run, so the time taken does not say which token was close.
    const bool is_admin = constant_time_equals(token, admin.token);
    const bool is_read_only =
        !admin.read_only_token.empty() && constant_time_equals(token, admin.read_only_token);
    if (is_admin) {
      presented = AdminCredential::admin;
    } else if (is_read_only) {
      presented = AdminCredential::read_only;
    } else {
      problem = "invalid bearer token";
    }
  }

  if (is_public_admin_path(path)) return {AdminAccess::Outcome::allowed, presented, {}};
  if (presented == AdminCredential::anonymous) {
    return refuse(AdminAccess::Outcome::unauthenticated, presented, std::move(problem));
  }
  if (presented == AdminCredential::read_only && !read_only_may(method, path)) {
    return refuse(AdminAccess::Outcome::read_only, presented,
                  fmt::format("the token is read-only: {} {} needs the admin token "
                              "(admin.token_env); the read-only token may only read",
                              std::string_view(http::to_string(method)), path));
  }
  return {AdminAccess::Outcome::allowed, presented, {}};
}

}  // namespace ficus::proxy
