#include "cutover/cutover_cli.h"

#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "proxy/control/cli.h"

namespace ficus::cutover {
namespace {

using nlohmann::json;
namespace http = boost::beast::http;
constexpr std::string_view kProgram = "ficus cutover";

std::string number_text(const json& value, const char* format = "{:g}") {
  return value.is_number() ? fmt::format(fmt::runtime(format), value.get<double>()) : "-";
}

std::string text_of(const json& value) {
  return value.is_string() && !value.get_ref<const std::string&>().empty()
             ? value.get<std::string>()
             : "-";
}

// "25 -> [50] -> 100"
std::string steps_text(const json& status) {
  std::string text;
  const auto steps = status.value("steps", json::array());
  const auto current = status.value("step_index", json());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (!text.empty()) text += " -> ";
    const std::string step = number_text(steps[i]);
    text += current.is_number() && current.get<std::size_t>() == i ? "[" + step + "]" : step;
  }
  return text;
}

// "step 2 of 3"
std::string step_text(const json& status) {
  const auto index = status.value("step_index", json());
  if (!index.is_number()) return "-";
  return fmt::format("{} of {}", index.get<std::size_t>() + 1,
                     status.value("steps", json::array()).size());
}

std::string gates_line(const json& gates) {
  if (!gates.is_object()) return "not judged yet";
  std::string checks;
  for (const auto& check : gates.value("checks", json::array())) {
    if (!checks.empty()) checks += ", ";
    checks += fmt::format("{} {} (limit {}) {}", check.value("gate", ""),
                          number_text(check.value("value", json()), "{:.4g}"),
                          number_text(check.value("limit", json()), "{:.4g}"),
                          check.value("pass", false) ? "ok" : "FAIL");
  }
  return fmt::format("{} over {} s: {}", gates.value("verdict", "?"),
                     number_text(gates.value("window_s", json())), checks);
}

std::string target_line(const json& stats) {
  if (!stats.is_object()) return "-";
  return fmt::format("{} requests, {:.2f}% errors, p99 {:.1f} ms",
                     stats.value("requests", std::uint64_t{0}),
                     stats.value("error_rate", 0.0) * 100.0, stats.value("p99_ms", 0.0));
}

struct Options {
  proxy::control::AdminConnection connection;
  std::string route;
  std::string reason;
  bool force = false;
  bool full = false;
  bool json_output = false;
};

}  // namespace

std::string render_cutover_status(const json& status) {
  const std::string state = status.value("state", "?");
  std::string out = fmt::format("route {}: {}", status.value("route", "?"),
                                state == "none" ? "no cutover plan" : state);
  out += fmt::format(", {}% new{}\n", number_text(status.value("share_percent", json())),
                     status.value("killed", false) ? " (killed)" : "");
  if (state == "none") return out;
  out +=
      fmt::format("  steps      {}  (step {}, {} s in it, interval {} s)\n", steps_text(status),
                  step_text(status), number_text(status.value("time_in_step_s", json()), "{:.1f}"),
                  number_text(status.value("step_interval_s", json())));
  const json reason = status.value("paused_reason", json());
  if (reason.is_string()) out += fmt::format("  why        {}\n", reason.get<std::string>());
  if (status.value("rolling_back", false)) out += "  rolling back one rollback step per interval\n";
  const json gates = status.value("last_gates", json());
  out += fmt::format("  gates      {}\n", gates_line(gates));
  if (gates.is_object()) {
    out += fmt::format("    old      {}\n", target_line(gates.value("old", json())));
    out += fmt::format("    new      {}\n", target_line(gates.value("new", json())));
  }
  if (status.value("full_since", json()).is_string()) {
    out += fmt::format("  full since {} ({} s ago)\n", status["full_since"].get<std::string>(),
                       number_text(status.value("full_for_s", json()), "{:.0f}"));
  }
  const json history_error = status.value("history_error", json());
  if (history_error.is_string()) {
    out +=
        fmt::format("  migrations cannot read the history: {}\n", history_error.get<std::string>());
  } else {
    const json missing = status.value("expand_missing", json::array());
    std::string list;
    for (const auto& id : missing) list += (list.empty() ? "" : ", ") + id.get<std::string>();
    out += fmt::format("  expand     {}\n", list.empty() ? "applied" : "missing: " + list);
    out += fmt::format("  contract   {}\n",
                       status.value("contract_applied", false) ? "applied" : "not applied");
  }
  return out;
}

std::string render_cutovers_table(const json& list) {
  std::vector<std::vector<std::string>> rows{
      {"ROUTE", "STATE", "STEP", "NEW %", "IN STEP", "GATES", "WHY"}};
  for (const auto& status : list.value("cutovers", json::array())) {
    const json gates = status.value("last_gates", json());
    rows.push_back({text_of(status.value("route", json())), text_of(status.value("state", json())),
                    step_text(status), number_text(status.value("share_percent", json())),
                    number_text(status.value("time_in_step_s", json()), "{:.0f} s"),
                    gates.is_object() ? gates.value("verdict", "-") : "-",
                    text_of(status.value("paused_reason", json()))});
  }
  return proxy::control::render_text_table(rows);
}

CLI::App* add_cutover_commands(CLI::App& app) {
  auto options = std::make_shared<Options>();
  CLI::App* cutover =
      app.add_subcommand("cutover", "Run a route's cutover plan: ramp, gates, rollback");
  cutover->require_subcommand(1);

  CLI::App* status = cutover->add_subcommand(
      "status", "Show the cutover of every route with a plan, or of one route");
  status->add_option("ROUTE", options->route, "Only this route");
  status->add_flag("--json", options->json_output, "Print the admin API's JSON answer");
  proxy::control::add_admin_connection_options(*status, options->connection);
  status->callback([options] {
    const std::string target =
        options->route.empty() ? "/admin/cutovers" : "/admin/cutovers/" + options->route;
    const json reply =
        proxy::control::call_admin(options->connection, http::verb::get, target, "", kProgram);
    if (options->json_output) {
      std::cout << reply.dump(2) << "\n";
    } else if (options->route.empty()) {
      std::cout << render_cutovers_table(reply);
    } else {
      std::cout << render_cutover_status(reply);
    }
  });

  struct Verb {
    const char* name;
    const char* help;
    bool force;
    bool full;
  };
  for (const Verb& verb : {
           Verb{"start", "Begin the ramp at its first step (the expand migrations must be applied)",
                true, false},
           Verb{"pause", "Hold the current step; a gate breach still rolls back", false, false},
           Verb{"resume", "Continue a paused ramp from its step", false, false},
           Verb{"promote", "Move to the next step now, without waiting for the gates", false, true},
           Verb{"abort", "Send all traffic back to old and stop the ramp", true, false},
       }) {
    CLI::App* command = cutover->add_subcommand(verb.name, verb.help);
    command->add_option("ROUTE", options->route, "Route name")->required();
    command->add_option("--reason", options->reason, "Why, for the audit log");
    if (verb.force) {
      command->add_flag("--force", options->force,
                        "Lower the share even though a contract migration is applied (audited as "
                        "forced)");
    }
    if (verb.full) command->add_flag("--full", options->full, "Go straight to 100 %");
    command->add_flag("--json", options->json_output, "Print the admin API's JSON answer");
    proxy::control::add_admin_connection_options(*command, options->connection);
    command->callback([options, action = std::string(verb.name)] {
      json body = json::object();
      if (!options->reason.empty()) body["reason"] = options->reason;
      if (options->force) body["force"] = true;
      if (options->full) body["full"] = true;
      const json reply = proxy::control::call_admin(
          options->connection, http::verb::post, "/admin/cutovers/" + options->route + "/" + action,
          body.dump(), kProgram);
      if (options->json_output) {
        std::cout << reply.dump(2) << "\n";
      } else {
        std::cout << render_cutover_status(reply);
      }
    });
  }
  return cutover;
}

}  // namespace ficus::cutover
