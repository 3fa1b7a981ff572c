// The traffic-split verbs of `ficus flags`, talking to a running proxy's admin API:
//
//   ficus flags status                              routes (flag, % new, state) + /admin/compare
//   ficus flags split ROUTE PERCENT --reason R [--force]   PUT /admin/routes/ROUTE/split
//   ficus flags kill ROUTE [--reason R] [--force]          POST /admin/routes/ROUTE/kill
//   ficus flags restore ROUTE [--reason R]          POST /admin/routes/ROUTE/restore
//   ficus flags history [--route R] [--since T]     GET /admin/audit
//
// Each takes --admin HOST:PORT (else $FICUS_ADMIN, else 127.0.0.1:9901), --token (else
// $FICUS_ADMIN_TOKEN) and --actor (else $FICUS_ACTOR, else $USER) for the audit log. A failure
// prints the server's error to stderr and throws CLI::RuntimeError(1). --force lowers a share past
// an applied contract migration of the route's cutover plan (cutover/share_guard.h).
//
//   CLI::App* flags = app.add_subcommand("flags", "Flag files and the traffic split");
//   ficus::flags::add_flags_eval_command(*flags);
//   ficus::proxy::control::add_flags_admin_commands(*flags);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>
#include <nlohmann/json_fwd.hpp>

namespace CLI {
class App;
}

namespace ficus::proxy::control {

// The connection options of every admin command (--admin, --token, --actor; see above), for other
// command groups that talk to the admin API (`ficus cutover`).
struct AdminConnection {
  std::string admin;
  std::string token;
  std::string actor;
};
void add_admin_connection_options(CLI::App& command, AdminConnection& connection);
// Sends the request; on a transport failure or a non-2xx answer prints "PROGRAM: ..." with the
// server's error to stderr and throws CLI::RuntimeError(1). Returns the parsed JSON answer.
nlohmann::json call_admin(const AdminConnection& connection, boost::beast::http::verb method,
                          const std::string& target, const std::string& body,
                          std::string_view program);
// Columns padded to their widest cell, two spaces apart.
std::string render_text_table(const std::vector<std::vector<std::string>>& rows);

void add_flags_admin_commands(CLI::App& flags_command);

// The tables the commands print, from the admin API's JSON answers (exposed for tests).
std::string render_routes_table(const nlohmann::json& routes_reply);
std::string render_history_table(const nlohmann::json& audit_reply);

}  // namespace ficus::proxy::control
