// The flag engine's command-line pieces, attached to the `ficus` binary by its main.cpp.
//
// `ficus flags eval FILE KEY [--context JSON]` prints one resolution as pretty JSON; exit 0
// when it resolved without error, 1 when the file is invalid (each error names the file and JSON
// path) or the evaluation ended in an error such as FLAG_NOT_FOUND, 2 when --context is not a
// JSON object. `ficus check` calls validate_flag_sources() for the configured flag sources.
//
//   CLI::App app{"ficus"};
//   CLI::App* flags = app.add_subcommand("flags", "Flag files");
//   ficus::flags::add_flags_eval_command(*flags);
//   for (const auto& e : ficus::flags::validate_flag_sources(config.flags.sources)) std::cerr << e;
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ficus::flags {

// Adds `eval FILE KEY [--context JSON]` under `flags_command`. Failures throw
// CLI::RuntimeError(code) after printing the reason to stderr.
void add_flags_eval_command(CLI::App& flags_command);

// Loads `sources` ("file:PATH" or PATH) strictly, as `ficus serve` would. Returns one
// human-readable line per problem ("FILE: JSON.PATH: what is wrong; what to do"); empty = valid.
std::vector<std::string> validate_flag_sources(const std::vector<std::string>& sources);

}  // namespace ficus::flags
