// The traffic-split verbs of `ficus flags`, talking to a running proxy's admin API:
//
//   ficus flags status                              routes (flag, % new, state) + /admin/compare
//   ficus flags split ROUTE PERCENT --reason R      PUT /admin/routes/ROUTE/split
//   ficus flags kill ROUTE [--reason R]             POST /admin/routes/ROUTE/kill
//   ficus flags restore ROUTE [--reason R]          POST /admin/routes/ROUTE/restore
//   ficus flags history [--route R] [--since T]     GET /admin/audit
//
// Each takes --admin HOST:PORT (else $FICUS_ADMIN, else 127.0.0.1:9901), --token (else
// $FICUS_ADMIN_TOKEN) and --actor (else $FICUS_ACTOR, else $USER) for the audit log. A failure
// prints the server's error to stderr and throws CLI::RuntimeError(1).
//
//   CLI::App* flags = app.add_subcommand("flags", "Flag files and the traffic split");
//   ficus::flags::add_flags_eval_command(*flags);
//   ficus::proxy::control::add_flags_admin_commands(*flags);
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace CLI {
class App;
}

namespace ficus::proxy::control {

void add_flags_admin_commands(CLI::App& flags_command);

// The tables the commands print, from the admin API's JSON answers (exposed for tests).
std::string render_routes_table(const nlohmann::json& routes_reply);
std::string render_history_table(const nlohmann::json& audit_reply);

}  // namespace ficus::proxy::control
