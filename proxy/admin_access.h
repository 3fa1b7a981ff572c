// Admin access: who may call which admin endpoint, decided from the Authorization header alone.
//
// Two bearer tokens, both from environment variables named in the config:
//   admin.token_env            the admin token: every endpoint
//   admin.read_only_token_env  the read-only token: only what read_only_may() allows, i.e. reading
//                              (OFREP evaluation, /metrics, GETs of routes, cutovers, audit,
//                              compare, config)
// /healthz and /readyz are open to everyone. Without an admin token (allowed only on loopback)
// everything is open and nobody is refused. The allow-list of read-only endpoints lives here, in
// one place, so a new endpoint is admin-only until someone decides otherwise.
//
//   AdminAccess access = authorize(config.admin, request.method(), path,
//                                  request[http::field::authorization]);
//   if (access.outcome != AdminAccess::Outcome::allowed) reply(access.status(), access.message);
#pragma once

#include <string>
#include <string_view>

#include "config/proxy_config.h"
#include "proxy/asio.h"

namespace ficus::proxy {

// The credential a request was admitted with.
enum class AdminCredential {
  none,       // no token is configured (loopback only): the listener is open
  admin,      // the admin token
  read_only,  // the read-only token
  anonymous,  // no or an unknown token, on an open path (/healthz, /readyz)
};

// "none", "admin", "read-only", "anonymous": as written in the audit log and the docs.
std::string_view to_string(AdminCredential credential);

struct AdminAccess {
  enum class Outcome {
    allowed,
    unauthenticated,  // 401: no token, a malformed header, or a token that matches neither
    read_only,        // 403: the read-only token on an endpoint that needs the admin token
  };
  Outcome outcome = Outcome::allowed;
  AdminCredential credential = AdminCredential::none;
  // Why the request was refused, safe to send back and to log: it never contains the presented
  // token (only what kind of problem it had).
  std::string message;
  http::status status() const;
};

// Paths that need no token at all.
bool is_public_admin_path(std::string_view path);

// Whether the read-only token may make this request. `path` has no query string.
bool read_only_may(http::verb method, std::string_view path);

AdminAccess authorize(const config::AdminConfig& admin, http::verb method, std::string_view path,
                      std::string_view authorization);

}  // namespace ficus::proxy
