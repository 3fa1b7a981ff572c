// edit_flag_file: splits on plain, nested and absent fractionals, the state flip, the rest of the
// file kept, invalid edits changing nothing, and concurrent writers.
#include "flags/flag_file_editor.h"

#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "flags/flag_set.h"
#include "tests/unit/flags/temp_dir.h"

namespace ficus::flags {
namespace {

using nlohmann::ordered_json;
using Status = FlagEditResult::Status;

constexpr const char* kPlain = R"({
  "$schema": "https://flagd.dev/schema/v0/flags.json",
  "metadata": {"team": "orders"},
  "flags": {
    "orders-cutover": {
      "state": "ENABLED",
      "variants": {"old": "old", "new": "new"},
      "defaultVariant": "old",
      "targeting": {"fractional": [["old", 90], ["new", 10]]},
      "metadata": {"owner": "alice"}
    },
    "unrelated": {"state": "ENABLED", "variants": {"on": true, "off": false},
                  "defaultVariant": "off"}
  }
})";

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ordered_json flag_in(const std::string& path, const std::string& key) {
  return ordered_json::parse(read(path))["flags"][key];
}

std::string flag_file(const std::string& flag_json) {
  return R"({"flags": {"f": )" + flag_json + "}}";
}

TEST(WeightForPercent, HasFourDecimalPlacesOfResolution) {
  EXPECT_EQ(weight_for_percent(12.5), 125'000u);
  EXPECT_EQ(weight_for_percent(0.0001), 1u);
  EXPECT_EQ(weight_for_percent(0), 0u);
  EXPECT_EQ(weight_for_percent(100), kTotalWeight);
  EXPECT_EQ(weight_for_percent(33.33333), 333'333u);
}

TEST(FlagFileEditor, SplitRewritesPlainFractionalToAMillionKeepingOrder) {
  testing::TempDir dir;
  const auto path = dir.write("flags.json", kPlain);
  const auto result = edit_flag_file(path, "orders-cutover", FlagEdit::split(125'000));
  ASSERT_EQ(result.status, Status::changed) << result.error;
  EXPECT_EQ(flag_in(path, "orders-cutover")["targeting"],
            ordered_json::parse(R"({"fractional": [["old", 875000], ["new", 125000]]})"));
  EXPECT_EQ(read(path), result.text);
}

TEST(FlagFileEditor, SplitKeepsNewFirstWhenListedFirst) {
  testing::TempDir dir;
  const auto path = dir.write(
      "flags.json", flag_file(R"({"state": "ENABLED", "variants": {"old": "old", "new": "new"},
        "defaultVariant": "old", "targeting": {"fractional": [["new", 1], ["old", 3]]}})"));
  ASSERT_TRUE(edit_flag_file(path, "f", FlagEdit::split(0)).ok());
  EXPECT_EQ(flag_in(path, "f")["targeting"],
            ordered_json::parse(R"({"fractional": [["new", 0], ["old", 1000000]]})"));
  ASSERT_TRUE(edit_flag_file(path, "f", FlagEdit::split(kTotalWeight)).ok());
  EXPECT_EQ(flag_in(path, "f")["targeting"],
            ordered_json::parse(R"({"fractional": [["new", 1000000], ["old", 0]]})"));
}

TEST(FlagFileEditor, SplitRewritesFractionalNestedInTheElseBranchOfAnIf) {
  testing::TempDir dir;
  const auto path = dir.write("flags.json", flag_file(R"({"state": "ENABLED",
    "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
    "targeting": {"if": [{"ends_with": [{"var": "email"}, "@example.com"]}, "new",
                         {"fractional": [{"var": "user"}, ["old", 50], ["new", 50]]}]}})"));
  ASSERT_EQ(edit_flag_file(path, "f", FlagEdit::split(125'000)).status, Status::changed);
  EXPECT_EQ(flag_in(path, "f")["targeting"],
            ordered_json::parse(R"({"if": [{"ends_with": [{"var": "email"}, "@example.com"]},
              "new", {"fractional": [{"var": "user"}, ["old", 875000], ["new", 125000]]}]})"));
}

TEST(FlagFileEditor, SplitCreatesAFractionalWhenTheFlagHasNoTargeting) {
  testing::TempDir dir;
  const auto path = dir.write("flags.json", flag_file(R"({"state": "ENABLED",
    "variants": {"on": true, "off": false}, "defaultVariant": "off"})"));
  ASSERT_EQ(edit_flag_file(path, "f", FlagEdit::split(5)).status, Status::changed);
  EXPECT_EQ(flag_in(path, "f")["targeting"],
            ordered_json::parse(R"({"fractional": [["off", 999995], ["on", 5]]})"));
}

TEST(FlagFileEditor, SplitRefusesTargetingWithoutFractionalAndChangesNothing) {
  testing::TempDir dir;
  const std::string text = flag_file(R"({"state": "ENABLED",
    "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
    "targeting": {"if": [{"==": [{"var": "tier"}, "gold"]}, "new", null]}})");
  const auto path = dir.write("flags.json", text);
  const auto result = edit_flag_file(path, "f", FlagEdit::split(10));
  EXPECT_EQ(result.status, Status::rejected);
  EXPECT_NE(result.error.find("no fractional"), std::string::npos) << result.error;
  EXPECT_EQ(read(path), text);
}

TEST(FlagFileEditor, SplitRefusesAThirdVariantInTheFractional) {
  testing::TempDir dir;
  const std::string text = flag_file(R"({"state": "ENABLED",
    "variants": {"old": "old", "new": "new", "canary": "canary"}, "defaultVariant": "old",
    "targeting": {"fractional": [["old", 8], ["new", 1], ["canary", 1]]}})");
  const auto path = dir.write("flags.json", text);
  const auto result = edit_flag_file(path, "f", FlagEdit::split(10));
  EXPECT_EQ(result.status, Status::rejected);
  EXPECT_NE(result.error.find("\"canary\""), std::string::npos) << result.error;
  EXPECT_EQ(read(path), text);
}

TEST(FlagFileEditor, KillAndRestoreFlipTheStateAndLeaveWeightsAlone) {
  testing::TempDir dir;
  const auto path = dir.write("flags.json", kPlain);
  ASSERT_EQ(edit_flag_file(path, "orders-cutover", FlagEdit::state(false)).status, Status::changed);
  auto flag = flag_in(path, "orders-cutover");
  EXPECT_EQ(flag["state"], "DISABLED");
  EXPECT_EQ(flag["targeting"],
            ordered_json::parse(R"({"fractional": [["old", 90], ["new", 10]]})"));
  ASSERT_EQ(edit_flag_file(path, "orders-cutover", FlagEdit::state(true)).status, Status::changed);
  EXPECT_EQ(flag_in(path, "orders-cutover")["state"], "ENABLED");
}

TEST(FlagFileEditor, KeepsEverythingElseInTheFileIncludingKeyOrder) {
  testing::TempDir dir;
  const auto path = dir.write("flags.json", kPlain);
  ASSERT_TRUE(edit_flag_file(path, "orders-cutover", FlagEdit::split(500'000)).ok());
  auto expected = ordered_json::parse(kPlain);
  expected["flags"]["orders-cutover"]["targeting"] =
      ordered_json::parse(R"({"fractional": [["old", 500000], ["new", 500000]]})");
  const auto actual = ordered_json::parse(read(path));
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(actual.dump(), expected.dump()) << "key order kept";
}

TEST(FlagFileEditor, WritingTheSameSplitAgainReportsUnchangedAndDoesNotWrite) {
  testing::TempDir dir;
  const auto path = dir.write("flags.json", kPlain);
  ASSERT_EQ(edit_flag_file(path, "orders-cutover", FlagEdit::split(1)).status, Status::changed);
  const auto before = std::filesystem::last_write_time(path);
  EXPECT_EQ(edit_flag_file(path, "orders-cutover", FlagEdit::split(1)).status, Status::unchanged);
  EXPECT_EQ(std::filesystem::last_write_time(path), before);
}

TEST(FlagFileEditor, UnknownFlagIsNotFoundAndChangesNothing) {
  testing::TempDir dir;
  const auto path = dir.write("flags.json", kPlain);
  const auto result = edit_flag_file(path, "nope", FlagEdit::state(false));
  EXPECT_EQ(result.status, Status::not_found);
  EXPECT_EQ(read(path), kPlain);
}

TEST(FlagFileEditor, ABrokenFileIsRefusedAndLeftAsItIs) {
  testing::TempDir dir;
  const std::string broken = R"({"flags": {"f": {"state": "ENABLED", "variants": )";
  const auto path = dir.write("flags.json", broken);
  const auto result = edit_flag_file(path, "f", FlagEdit::state(false));
  EXPECT_EQ(result.status, Status::rejected);
  EXPECT_NE(result.error.find("fix it by hand first"), std::string::npos) << result.error;
  EXPECT_EQ(read(path), broken);
}

TEST(FlagFileEditor, MissingFileIsAnIoErrorNamingIt) {
  testing::TempDir dir;
  const auto result = edit_flag_file(dir.file("absent.json"), "f", FlagEdit::state(false));
  EXPECT_EQ(result.status, Status::io_error);
  EXPECT_NE(result.error.find("absent.json"), std::string::npos) << result.error;
}

// Each thread owns one flag, so a lost update (two read-modify-writes interleaving) would show
// as a flag not holding its thread's last weight.
TEST(FlagFileEditor, ParallelWritersLoseNoUpdateAndLeaveAValidFile) {
  constexpr int kThreads = 6;
  constexpr int kEdits = 15;
  testing::TempDir dir;
  std::string flags;
  for (int t = 0; t < kThreads; ++t) {
    flags += std::string(t == 0 ? "" : ",") + "\"f" + std::to_string(t) +
             R"(": {"state": "ENABLED", "variants": {"old": "old", "new": "new"},
                    "defaultVariant": "old", "targeting": {"fractional": [["old", 1], ["new", 1]]}})";
  }
  const auto path = dir.write("flags.json", "{\"flags\": {" + flags + "}}");
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      const std::string key = "f" + std::to_string(t);
      for (int i = 0; i < kEdits; ++i) {
        const FlagEdit edit =
            i % 4 == 3 ? FlagEdit::state(i % 8 != 3) : FlagEdit::split(std::uint32_t(t * 1000 + i));
        EXPECT_TRUE(edit_flag_file(path, key, edit).ok());
      }
    });
  }
  for (auto& writer : writers) writer.join();
  ASSERT_TRUE(parse_flag_source(read(path), path).ok());
  for (int t = 0; t < kThreads; ++t) {
    const auto flag = flag_in(path, "f" + std::to_string(t));
    const auto& split = flag["targeting"]["fractional"];
    EXPECT_EQ(split[1][1].get<std::uint32_t>(), std::uint32_t(t * 1000 + kEdits - 1)) << t;
    EXPECT_EQ(split[0][1].get<std::uint32_t>() + split[1][1].get<std::uint32_t>(), kTotalWeight);
    EXPECT_EQ(flag["state"], "DISABLED") << "the last state edit (i == 11) disabled it";
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const auto name = entry.path().filename().string();
    EXPECT_TRUE(name == "flags.json" || name == "flags.json.lock") << name;
  }
}

}  // namespace
}  // namespace ficus::flags
