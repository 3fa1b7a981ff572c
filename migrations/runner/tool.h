// Runs one of PostgreSQL's client tools (pg_dump, pg_restore, psql) without a shell and collects
// its exit status and output, so a failed backup or restore can quote what the tool said.
//
//   ToolResult r = run_tool({"pg_dump", "-Fc", "-f", "/backups/app.dump", "--dbname", url});
//   if (r.exit_code != 0) throw MigrationError("pg_dump failed: " + r.output);
#pragma once

#include <string>
#include <vector>

namespace ficus::migrations {

struct ToolResult {
  int exit_code = -1;  // 127 when the program could not be started
  std::string output;  // stdout and stderr interleaved
};

// argv[0] is looked up in PATH unless it contains a slash. Blocks until the program exits. A URL
// argument with a password ("postgresql://app:SECRET@db/x") is passed without it, the password
// going to the tool in PGPASSWORD, so `ps` never shows it.
ToolResult run_tool(const std::vector<std::string>& argv);

// Runs the tool and throws MigrationError naming `what` and quoting its output when it fails.
std::string run_tool_or_throw(const std::vector<std::string>& argv, const std::string& what);

}  // namespace ficus::migrations
