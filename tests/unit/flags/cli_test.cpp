// `ficus flags eval` and validate_flag_sources, run through a real CLI11 app.
#include "flags/cli.h"

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "temp_dir.h"

namespace ficus::flags {
namespace {

struct CommandRun {
  int exit_code = 0;
  std::string out, err;
};

CommandRun run_ficus(std::vector<std::string> args) {
  CLI::App app{"ficus"};
  CLI::App* flags = app.add_subcommand("flags", "Flag files");
  add_flags_eval_command(*flags);
  std::reverse(args.begin(), args.end());  // CLI11 takes the arguments reversed
  CommandRun run;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    run.exit_code = e.get_exit_code();
  }
  run.out = ::testing::internal::GetCapturedStdout();
  run.err = ::testing::internal::GetCapturedStderr();
  return run;
}

constexpr std::string_view kFlags = R"({"flags": {"orders-cutover": {
    "state": "ENABLED", "variants": {"new": "new", "old": "old"}, "defaultVariant": "old",
    "metadata": {"owner": "orders"},
    "targeting": {"if": [{"==": [{"var": "plan"}, "beta"]}, "new", {"fractional": [["new", 10], ["old", 90]]}]}}}})";

TEST(FlagsEvalCommand, PrintsTheResolutionAsJson) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", std::string(kFlags));
  const CommandRun run = run_ficus({"flags", "eval", file, "orders-cutover", "--context",
                                    R"({"targetingKey": "570930264", "plan": "free"})"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out),
            R"({"key": "orders-cutover", "value": "new", "variant": "new",
      "reason": "TARGETING_MATCH", "metadata": {"owner": "orders"}})"_json);
}

TEST(FlagsEvalCommand, WithoutContextUsesTheDefaultVariant) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", std::string(kFlags));
  const CommandRun run = run_ficus({"flags", "eval", "file:" + file, "orders-cutover"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out).at("reason"), "DEFAULT");
}

TEST(FlagsEvalCommand, InvalidFileExitsOneNamingFileAndPath) {
  testing::TempDir dir;
  const auto file = dir.write(
      "flags.json", R"({"flags": {"orders-cutover": {"state": "ENABLED", "variants": {}}}})");
  const CommandRun run = run_ficus({"flags", "eval", file, "orders-cutover"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find(file + ": flags.orders-cutover.variants: must be a non-empty object"),
            std::string::npos)
      << run.err;
}

TEST(FlagsEvalCommand, UnknownFlagPrintsTheErrorAndExitsOne) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", std::string(kFlags));
  const CommandRun run = run_ficus({"flags", "eval", file, "nope"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(run.out).at("errorCode"), "FLAG_NOT_FOUND");
}

TEST(FlagsEvalCommand, ContextThatIsNotAnObjectExitsTwo) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", std::string(kFlags));
  EXPECT_EQ(run_ficus({"flags", "eval", file, "orders-cutover", "--context", "[1]"}).exit_code, 2);
  const CommandRun bad_json =
      run_ficus({"flags", "eval", file, "orders-cutover", "--context", "{"});
  EXPECT_EQ(bad_json.exit_code, 2);
  EXPECT_NE(bad_json.err.find("--context: invalid JSON"), std::string::npos);
}

TEST(ValidateFlagSources, ReturnsOneLinePerProblemAndNothingWhenValid) {
  testing::TempDir dir;
  const auto good = dir.write("good.json", std::string(kFlags));
  const auto bad =
      dir.write("bad.json", R"({"flags": {"x": {"state": "ENABLED", "variants": {"a": 1},
      "defaultVariant": "b"}}})");
  EXPECT_TRUE(validate_flag_sources({"file:" + good}).empty());
  const auto errors = validate_flag_sources({"file:" + good, "file:" + bad});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(
      errors[0],
      bad +
          ": flags.x.defaultVariant: \"b\" is not a key of \"variants\"; use one of them or null");
}

}  // namespace
}  // namespace ficus::flags
