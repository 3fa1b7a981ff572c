// Helpers for the flag engine's unit tests: build a FlagSet from JSON text and evaluate it.
//
//   auto set = ficus::testing::flag_set(R"({"flags": {...}})");
//   auto r = ficus::testing::eval(*set, "my-flag", R"({"targetingKey": "u1"})");
#pragma once

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "flags/evaluator.h"
#include "flags/flag_set.h"

namespace ficus::testing {

inline std::shared_ptr<const flags::FlagSet> flag_set(std::string_view text, bool strict = true) {
  flags::ParseOptions options;
  options.strict = strict;
  auto parsed = flags::parse_flag_source(text, "test.json", options);
  std::string errors;
  for (const auto& e : parsed.errors) errors += e.to_string() + "\n";
  EXPECT_TRUE(parsed.ok()) << errors;
  if (!parsed.ok()) return std::make_shared<const flags::FlagSet>();
  std::vector<flags::ParsedSource> sources;
  sources.push_back(std::move(*parsed.source));
  return std::make_shared<const flags::FlagSet>(std::move(sources));
}

// Errors from parsing `text` strictly (or leniently), one "path: message" per entry.
inline std::vector<std::string> parse_errors(std::string_view text, bool strict = true) {
  flags::ParseOptions options;
  options.strict = strict;
  std::vector<std::string> out;
  for (const auto& e : flags::parse_flag_source(text, "test.json", options).errors) {
    out.push_back(e.path + ": " + e.message);
  }
  return out;
}

// Evaluates with a JSON context; the context is kept alive by the returned pair's first part.
struct JsonEvaluation {
  std::unique_ptr<nlohmann::json> context;
  flags::Resolution resolution;
  std::string value_text() const {
    return resolution.value ? (resolution.value->is_string() ? resolution.value->get<std::string>()
                                                             : resolution.value->dump())
                            : "<none>";
  }
};

inline JsonEvaluation eval(const flags::FlagSet& set, std::string_view key,
                           std::string_view context_json = "{}") {
  JsonEvaluation out;
  out.context = std::make_unique<nlohmann::json>(nlohmann::json::parse(context_json));
  auto context = flags::EvalContext::from_json(*out.context);
  context.set_timestamp(1'700'000'000);
  out.resolution = flags::evaluate(set, key, context);
  return out;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline nlohmann::json test_vectors() {
  return nlohmann::json::parse(read_file(std::string(FICUS_FLAGS_TEST_DATA) + "/vectors.json"));
}

}  // namespace ficus::testing
