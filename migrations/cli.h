// `ficus migrate`: adds the migrate subcommand and its verbs (new, up, down, status, plan, lint,
// verify, baseline) to the top-level `ficus` CLI11 app. A verb that fails prints its message to
// stderr and throws CLI::RuntimeError(exit_code), which `app.exit(e)` turns into the exit status.
//
//   CLI::App app{"ficus"};
//   ficus::migrations::add_migrate_command(app);
//   try { app.parse(argc, argv); } catch (const CLI::ParseError& e) { return app.exit(e); }
//
// The database comes from --db, else DATABASE_URL, else sqlite:ficus.db; the folder from --dir
// (default `migrations`). `gates` are made for each run of up, plan and down from what the verb
// knows (GateContext): the cutover plans use them to hold back contract migrations and the
// rollback of expand migrations (cutover/migration_gate.h).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "migrations/runner/runner.h"

namespace ficus::migrations {

// What a verb knows when it makes its gates.
struct GateContext {
  std::string config_path;                 // --config, else $FICUS_CONFIG; "" when neither is given
  std::string db_url;                      // the database being migrated
  std::string dir;                         // the migrations folder
  std::optional<std::string> proxy_admin;  // migrate.proxy_admin of the config: HOST:PORT
  bool allow_unplanned_contract = false;   // --allow-unplanned-contract
};

// Each maker may be empty (no gate). A maker may throw MigrationError (e.g. an unreadable config).
struct MigrateGates {
  std::function<ApplyGate(const GateContext&)> apply;   // up and plan, before applying
  std::function<ApplyGate(const GateContext&)> revert;  // down, before rolling back
};

void add_migrate_command(CLI::App& app, MigrateGates gates = {});

// --db if given, else $DATABASE_URL, else sqlite:ficus.db.
std::string resolve_db_url(const std::string& db_flag);

}  // namespace ficus::migrations
