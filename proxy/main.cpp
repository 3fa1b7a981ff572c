// ficus: one binary, subcommands `serve`, `check`, `flags ...`, `migrate ...`.
#include <csignal>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "config/config_loader.h"
#include "cutover/cutover_cli.h"
#include "cutover/cutover_service.h"
#include "cutover/migration_gate.h"
#include "cutover/plan_command.h"
#include "flags/cli.h"
#include "flags/flag_store.h"
#include "migrations/cli.h"
#include "proxy/control/cli.h"
#include "proxy/control/control_plane.h"
#include "proxy/control/denial_audit.h"
#include "proxy/metrics/proxy_metrics.h"
#include "proxy/server.h"

namespace {

void use_stderr_logger(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("ficus");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(level));
}

// `ficus check`: every problem in the config and the flag files it names, then exit 1; or exit 0.
int run_check(const std::string& config_path) {
  auto loaded = ficus::config::load_config_file(config_path);
  std::vector<std::string> problems;
  for (const auto& error : loaded.errors) problems.push_back(error.to_string());
  if (loaded.ok()) {
    for (auto& problem : ficus::flags::validate_flag_sources(loaded.config->flags.sources)) {
      problems.push_back(std::move(problem));
    }
  }
  if (problems.empty()) {
    std::cout << config_path << ": ok (" << loaded.config->routes.size() << " routes, "
              << loaded.config->upstreams.size() << " upstreams, "
              << loaded.config->flags.sources.size() << " flag sources)\n";
    return 0;
  }
  for (const auto& problem : problems) std::cerr << problem << "\n";
  std::cerr << problems.size() << (problems.size() == 1 ? " error" : " errors") << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Writes to a closed socket must fail with EPIPE, never kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  CLI::App app{"Ficus: move live traffic from an old service to a new one, with the schema"};
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  std::string config_path;
  auto* serve = app.add_subcommand("serve", "Run the proxy");
  serve->add_option("-c,--config", config_path, "Config file (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  auto* check = app.add_subcommand("check", "Validate a config file and the flag files it names");
  check->add_option("-c,--config", config_path, "Config file (JSON)")->required();

  auto* flags = app.add_subcommand("flags", "Inspect and change feature flags");
  flags->require_subcommand(1);
  ficus::flags::add_flags_eval_command(*flags);
  ficus::proxy::control::add_flags_admin_commands(*flags);
  // The cutover plans hold back contract migrations and the rollback of expand ones.
  ficus::migrations::add_migrate_command(app, ficus::cutover::make_migrate_gates(std::cerr));
  CLI::App* cutover = ficus::cutover::add_cutover_commands(app);
  ficus::cutover::add_cutover_plan_command(*cutover);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  use_stderr_logger(log_level);
  if (serve->parsed()) {
    ficus::proxy::Server server(config_path);
    // Declared after the server so it goes first; the flag store stops before run() returns.
    std::unique_ptr<ficus::proxy::control::ControlPlane> control;
    // Declared after the control plane so it goes first: it changes shares through it.
    std::unique_ptr<ficus::cutover::CutoverService> cutover_engine;
    server.extend([&](ficus::proxy::ServerParts& parts) {
      // Refused admin requests are audited whether or not there are flags to change.
      ficus::proxy::control::audit_admin_denials(parts.admin,
                                                 parts.routes.load()->config().audit_log.path);
      if (parts.flag_store == nullptr) return;  // no flags: nothing to split, kill or audit
      control = std::make_unique<ficus::proxy::control::ControlPlane>(
          parts.routes, *parts.flag_store, parts.routes.load()->config().audit_log.path);
      control->register_endpoints(parts.admin);
      // ficus_route_new_share / ficus_route_killed follow the flag files.
      auto publish = [&control, &metrics = parts.metrics] {
        for (const auto& status : control->route_statuses()) {
          metrics.set_route_share(status.route, status.new_share.value_or(0.0));
          metrics.set_route_killed(status.route, status.killed);
        }
      };
      publish();
      parts.flag_store->on_change([publish](const auto&, const auto&) { publish(); });
    });
    // Cutover plans: the expand/contract guards on every share change, and the ramp engine.
    server.extend([&](ficus::proxy::ServerParts& parts) {
      if (!control) return;  // a plan needs a flag, and flags need sources
      control->set_share_guard(
          ficus::cutover::make_share_guard(ficus::cutover::read_applied_migrations));
      cutover_engine =
          std::make_unique<ficus::cutover::CutoverService>(ficus::cutover::CutoverService::Parts{
              .control = parts.control,
              .routes = parts.routes,
              .control_plane = *control,
              .comparison = parts.comparison,
              .registry = &parts.metrics.registry(),
              .state_file = ficus::cutover::state_file_path_for(parts.routes.load()->config())});
      cutover_engine->register_endpoints(parts.admin);
      if (auto error = cutover_engine->start(); !error.empty()) {
        spdlog::error("cutover: {}", error);
      }
    });
    return server.run();
  }
  if (check->parsed()) return run_check(config_path);
  return 0;
}
