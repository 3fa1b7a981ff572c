#include "proxy/control/cli.h"

#include <cstdlib>
#include <iostream>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <nlohmann/json.hpp>

#include "proxy/control/admin_client.h"
#include "proxy/metrics/compare_table.h"

namespace ficus::proxy::control {
namespace {

using nlohmann::json;
namespace http = boost::beast::http;

using Connection = AdminConnection;

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

void add_connection_options(CLI::App& command, Connection& connection) {
  command.add_option("--admin", connection.admin,
                     "Admin API HOST:PORT (default $FICUS_ADMIN, else 127.0.0.1:9901)");
  command.add_option("--token", connection.token,
                     "Admin bearer token (default $FICUS_ADMIN_TOKEN)");
  command.add_option("--actor", connection.actor,
                     "Who to record in the audit log (default $FICUS_ACTOR, else $USER)");
}

AdminClient client_for(const Connection& connection) {
  AdminClientOptions options;
  options.address =
      connection.admin.empty() ? env_or("FICUS_ADMIN", "127.0.0.1:9901") : connection.admin;
  options.token = connection.token.empty() ? env_or("FICUS_ADMIN_TOKEN", "") : connection.token;
  options.actor =
      connection.actor.empty() ? env_or("FICUS_ACTOR", env_or("USER", "")) : connection.actor;
  return AdminClient(std::move(options));
}

// Sends the request; on a transport failure or non-2xx answer prints why and exits 1.
json call(const Connection& connection, http::verb method, const std::string& target,
          const std::string& body = {}, std::string_view program = "ficus flags") {
  AdminResponse response;
  try {
    response = client_for(connection).request(method, target, body);
  } catch (const std::exception& e) {
    std::cerr << program << ": " << e.what() << "\n";
    throw CLI::RuntimeError(1);
  }
  if (response.status < 200 || response.status >= 300) {
    std::cerr << program << ": " << method << " " << target << ": HTTP " << response.status << ": "
              << response.error_message() << "\n";
    throw CLI::RuntimeError(1);
  }
  auto parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    std::cerr << program << ": " << target << " answered with something that is not JSON\n";
    throw CLI::RuntimeError(1);
  }
  return parsed;
}

// Columns padded to their widest cell, two spaces apart, no trailing blanks.
std::string render_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

std::string text_or_dash(const json& value) {
  if (value.is_string() && !value.get_ref<const std::string&>().empty()) {
    return value.get<std::string>();
  }
  return "-";
}

std::string percent_text(const json& value) {
  return value.is_number() ? fmt::format("{:.4f}", value.get<double>()) : "-";
}

// "12.5000% new" / "12.5000% new, killed" / "absent"
std::string rollout_text(const json& rollout) {
  if (!rollout.is_object()) return "absent";
  std::string text = rollout.contains("new_percent") && rollout["new_percent"].is_number()
                         ? percent_text(rollout["new_percent"]) + "% new"
                         : "share unknown";
  if (rollout.value("state", "") == "DISABLED") text += ", killed";
  return text;
}

void print_change(const json& reply) {
  std::cout << fmt::format("{} {}: {} -> {}{}\n", reply.value("action", ""),
                           reply.value("route", ""), rollout_text(reply["before"]),
                           rollout_text(reply["after"]),
                           reply.value("changed", true) ? "" : " (unchanged)");
}

std::string query_value(const std::string& value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

}  // namespace

std::string render_routes_table(const json& routes_reply) {
  std::vector<std::vector<std::string>> rows{
      {"ROUTE", "FLAG", "NEW %", "STATE", "OLD", "NEW", "FLAG FILE"}};
  for (const auto& route : routes_reply.value("routes", json::array())) {
    const json targets = route.value("targets", json::object());
    std::string flag = text_or_dash(route.value("flag", json()));
    if (flag != "-" && !route.value("flag_defined", false)) flag += " (undefined)";
    rows.push_back({text_or_dash(route.value("name", json())), flag,
                    percent_text(route.value("new_percent", json())),
                    text_or_dash(route.value("state", json())),
                    text_or_dash(targets.value("old", json())),
                    text_or_dash(targets.value("new", json())),
                    text_or_dash(route.value("flag_source", json()))});
  }
  return render_table(rows);
}

std::string render_history_table(const json& audit_reply) {
  std::vector<std::vector<std::string>> rows{
      {"TIME", "ACTOR", "ACTION", "ROUTE", "BEFORE", "AFTER", "REASON"}};
  for (const auto& entry : audit_reply.value("entries", json::array())) {
    rows.push_back(
        {text_or_dash(entry.value("time", json())), text_or_dash(entry.value("actor", json())),
         text_or_dash(entry.value("action", json())), text_or_dash(entry.value("route", json())),
         rollout_text(entry.value("before", json())), rollout_text(entry.value("after", json())),
         text_or_dash(entry.value("reason", json()))});
  }
  return render_table(rows);
}

void add_flags_admin_commands(CLI::App& flags_command) {
  // CLI11 keeps the callbacks for the program's lifetime; the options live as long.
  struct Options {
    Connection connection;
    std::string route;
    double percent = 0;
    std::string reason;
    std::string since;
    bool force = false;
  };
  auto options = std::make_shared<Options>();

  CLI::App* status = flags_command.add_subcommand(
      "status", "Show each route's flag, share of new and state, and old vs new metrics");
  add_connection_options(*status, options->connection);
  status->callback([options] {
    std::cout << render_routes_table(call(options->connection, http::verb::get, "/admin/routes"));
    // The comparison is optional: a proxy without metrics answers 404 and the table is skipped.
    try {
      auto response = client_for(options->connection).request(http::verb::get, "/admin/compare");
      auto parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
      if (response.status == 200 && !parsed.is_discarded()) {
        std::cout << "\n" << metrics::render_compare_table(parsed);
      }
    } catch (const std::exception&) {
      // Already reached the API once; a failure here only loses the optional table.
    }
  });

  CLI::App* split = flags_command.add_subcommand(
      "split", "Set the share of requests a route sends to new (0..100, 0.0001 steps)");
  split->add_option("ROUTE", options->route, "Route name")->required();
  split->add_option("PERCENT", options->percent, "Share of new in percent, e.g. 12.5")->required();
  split->add_option("--reason", options->reason, "Why, for the audit log")->required();
  split->add_flag("--force", options->force,
                  "Lower the share even though a contract migration of the route's cutover plan "
                  "is applied (audited as forced)");
  add_connection_options(*split, options->connection);
  split->callback([options] {
    json body = {{"percent", options->percent}, {"reason", options->reason}};
    if (options->force) body["force"] = true;
    print_change(call(options->connection, http::verb::put,
                      "/admin/routes/" + options->route + "/split", body.dump()));
  });

  for (const char* verb : {"kill", "restore"}) {
    const bool kill = std::string_view(verb) == "kill";
    CLI::App* command = flags_command.add_subcommand(
        verb, kill ? "Send all of a route's traffic to old at once (kill switch)"
                   : "Undo a kill: return to the share of new set before it");
    command->add_option("ROUTE", options->route, "Route name")->required();
    command->add_option("--reason", options->reason, "Why, for the audit log");
    if (kill) {
      command->add_flag("--force", options->force,
                        "Kill even though a contract migration of the route's cutover plan is "
                        "applied (audited as forced)");
    }
    add_connection_options(*command, options->connection);
    command->callback([options, action = std::string(verb)] {
      json body = {{"reason", options->reason}};
      if (options->force) body["force"] = true;
      print_change(call(options->connection, http::verb::post,
                        "/admin/routes/" + options->route + "/" + action, body.dump()));
    });
  }

  CLI::App* history = flags_command.add_subcommand("history", "Show the audit trail");
  history->add_option("--route", options->route, "Only this route");
  history->add_option("--since", options->since,
                      "UTC time (2026-11-24T22:00) or duration (30m, 2h, 7d)");
  add_connection_options(*history, options->connection);
  history->callback([options] {
    std::string target = "/admin/audit";
    std::string separator = "?";
    if (!options->route.empty()) {
      target += separator + "route=" + query_value(options->route);
      separator = "&";
    }
    if (!options->since.empty()) target += separator + "since=" + query_value(options->since);
    std::cout << render_history_table(call(options->connection, http::verb::get, target));
  });
}

void add_admin_connection_options(CLI::App& command, AdminConnection& connection) {
  add_connection_options(command, connection);
}

json call_admin(const AdminConnection& connection, http::verb method, const std::string& target,
                const std::string& body, std::string_view program) {
  return call(connection, method, target, body, program);
}

std::string render_text_table(const std::vector<std::vector<std::string>>& rows) {
  return render_table(rows);
}

}  // namespace ficus::proxy::control
