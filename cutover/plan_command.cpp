#include "cutover/plan_command.h"

#include <cstdlib>
#include <iostream>
#include <memory>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cutover/plan_timeline.h"
#include "migrations/migrate_config.h"
#include "migrations/runner/migration_error.h"

namespace ficus::cutover {
namespace {

struct PlanOptions {
  std::string route;
  std::string config;
};

int run_plan(PlanOptions options) {
  if (options.config.empty())
    if (const char* env = std::getenv("FICUS_CONFIG"); env && *env) options.config = env;
  if (options.config.empty()) {
    std::cerr << "error: ficus cutover plan reads the plan from the proxy's config: pass --config "
                 "FILE or set FICUS_CONFIG\n";
    return 1;
  }
  PlannedConfig planned;
  std::optional<std::string> proxy_admin;
  try {
    planned = load_planned_config(options.config);
    proxy_admin = migrations::load_migrate_config(options.config).proxy_admin;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
  const config::RouteConfig* route = planned.config->find_route(options.route);
  if (route == nullptr) {
    std::vector<std::string> names;
    for (const auto& r : planned.config->routes) names.push_back(r.name);
    std::cerr << fmt::format("error: {} has no route \"{}\" (routes: {})\n", options.config,
                             options.route, fmt::join(names, ", "));
    return 1;
  }
  if (!route->cutover) {
    std::cerr << fmt::format(
        "error: route \"{}\" in {} has no cutover plan; add a \"cutover\" "
        "object to it (docs/cutover.md)\n",
        options.route, options.config);
    return 1;
  }
  std::optional<std::vector<migrations::AppliedMigration>> applied;
  std::string history_error;
  try {
    applied = migrations::applied(route->cutover->database);
  } catch (const std::exception& e) {
    history_error = e.what();
  }
  LiveStatusReader live(admin_options_for(planned, proxy_admin), planned.token_env);
  LiveStatusResult status = live.fetch(options.route);
  if (!status.status) {
    status.error += fmt::format(" (is `ficus serve --config {}` running?)", options.config);
  }
  std::cout << render_timeline(build_timeline(options.route, *route->cutover, applied,
                                              history_error, std::move(status)))
            << std::flush;
  return 0;
}

}  // namespace

void add_cutover_plan_command(CLI::App& cutover) {
  auto options = std::make_shared<PlanOptions>();
  CLI::App* plan = cutover.add_subcommand(
      "plan",
      "The route's cutover timeline: expand migrations (lint, locks), ramp steps and gates, "
      "soak, contract migrations, and where it stands now");
  plan->add_option("ROUTE", options->route, "Route name")->required();
  plan->add_option("--config", options->config,
                   "The config file the proxy runs (default: $FICUS_CONFIG)");
  plan->callback([options] {
    if (int code = run_plan(*options); code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace ficus::cutover
