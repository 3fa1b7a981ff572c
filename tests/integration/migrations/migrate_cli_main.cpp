// Test-only stand-in for the `ficus` binary: just the `migrate` subcommand, so the CLI tests run
// without building the proxy. Usage: ficus_migrate_test_cli migrate up --db sqlite:x.db
#include <CLI/CLI.hpp>

#include "migrations/cli.h"

int main(int argc, char** argv) {
  CLI::App app{"ficus (migrate only, for tests)"};
  app.require_subcommand(1);
  ficus::migrations::add_migrate_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
