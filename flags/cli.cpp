#include "flags/cli.h"

#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "flags/evaluator.h"
#include "flags/flag_set.h"

namespace ficus::flags {
namespace {

struct EvalArguments {
  std::string file;
  std::string key;
  std::string context = "{}";
};

void run_eval(const EvalArguments& args) {
  const FlagSetLoad loaded = load_flag_sources({args.file});
  if (!loaded.ok()) {
    for (const FlagError& e : loaded.errors) std::cerr << e.to_string() << "\n";
    std::cerr << "ficus flags eval: " << args.file << " is not a valid flag file\n";
    throw CLI::RuntimeError(1);
  }
  nlohmann::json context;
  try {
    context = nlohmann::json::parse(args.context);
  } catch (const nlohmann::json::parse_error& e) {
    std::cerr << "--context: invalid JSON (" << e.what()
              << "); pass an object such as '{\"targetingKey\": \"user-1\"}'\n";
    throw CLI::RuntimeError(2);
  }
  if (!context.is_object()) {
    std::cerr << "--context: must be a JSON object such as '{\"targetingKey\": \"user-1\"}', not "
              << context.dump() << "\n";
    throw CLI::RuntimeError(2);
  }
  const Resolution resolution = evaluate(*loaded.set, args.key, EvalContext::from_json(context));
  std::cout << to_json(resolution, args.key).dump(2) << "\n";
  if (!resolution.ok()) {
    std::cerr << "ficus flags eval: " << resolution.error_message << "\n";
    throw CLI::RuntimeError(1);
  }
}

}  // namespace

void add_flags_eval_command(CLI::App& flags_command) {
  auto args = std::make_shared<EvalArguments>();
  CLI::App* eval = flags_command.add_subcommand(
      "eval", "Evaluate one flag of a flag file and print the resolution as JSON");
  eval->add_option("FILE", args->file, "Flag file (flagd JSON format), PATH or file:PATH")
      ->required();
  eval->add_option("KEY", args->key, "Flag key")->required();
  eval->add_option("--context", args->context,
                   "Evaluation context as a JSON object, e.g. '{\"targetingKey\": \"user-1\"}'");
  eval->callback([args] { run_eval(*args); });
}

std::vector<std::string> validate_flag_sources(const std::vector<std::string>& sources) {
  std::vector<std::string> errors;
  for (const FlagError& e : load_flag_sources(sources).errors) errors.push_back(e.to_string());
  return errors;
}

}  // namespace ficus::flags
