// `ficus migrate`: adds the migrate subcommand and its verbs (new, up, down, status, plan, lint,
// verify, baseline) to the top-level `ficus` CLI11 app. A verb that fails prints its message to
// stderr and throws CLI::RuntimeError(exit_code), which `app.exit(e)` turns into the exit status.
//
//   CLI::App app{"ficus"};
//   ficus::migrations::add_migrate_command(app);
//   try { app.parse(argc, argv); } catch (const CLI::ParseError& e) { return app.exit(e); }
//
// The database comes from --db, else DATABASE_URL, else sqlite:ficus.db; the folder from --dir
// (default `migrations`). `gate` is asked before `up` applies each pending migration (the
// cutover engine uses it to hold back contract migrations).
#pragma once

#include <CLI/CLI.hpp>

#include "migrations/runner/runner.h"

namespace ficus::migrations {

void add_migrate_command(CLI::App& app, ApplyGate gate = {});

// --db if given, else $DATABASE_URL, else sqlite:ficus.db.
std::string resolve_db_url(const std::string& db_flag);

}  // namespace ficus::migrations
