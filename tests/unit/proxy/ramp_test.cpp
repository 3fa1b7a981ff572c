// Raising new's share only ever moves keys old -> new: the ramp a rollout goes through, checked on
// 100,000 random keys with the weights `ficus flags split` writes (total fixed at 1,000,000).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <unordered_set>

#include "flags/evaluator.h"
#include "flags/flag_file_editor.h"
#include "flags/flag_set.h"

namespace ficus::proxy {
namespace {

std::shared_ptr<const flags::FlagSet> load_split(const std::filesystem::path& file,
                                                 double percent) {
  auto new_weight = flags::weight_for_percent(percent);
  std::ofstream(file) << R"({"flags": {"orders-cutover": {"state": "ENABLED",
      "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
      "targeting": {"fractional": [["old", )"
                      << (flags::kTotalWeight - new_weight) << R"(], ["new", )" << new_weight
                      << "]]}}}}";
  auto loaded = flags::load_flag_sources({"file:" + file.string()});
  EXPECT_TRUE(loaded.ok());
  return loaded.set;
}

TEST(Ramp, EachStepKeepsEveryNewKeyAndHitsItsShareWithinHalfAPoint) {
  auto file = std::filesystem::temp_directory_path() /
              ("ficus-ramp-" + std::to_string(::getpid()) + ".json");
  std::mt19937_64 random(20261124);
  std::vector<std::string> keys;
  for (int i = 0; i < 100'000; ++i) keys.push_back("user-" + std::to_string(random()));

  std::unordered_set<std::string> previous_new;
  for (double percent : {1.0, 5.0, 25.0, 50.0, 100.0}) {
    auto set = load_split(file, percent);
    std::unordered_set<std::string> now_new;
    for (const auto& key : keys) {
      auto resolution = flags::evaluate(*set, "orders-cutover", flags::EvalContext(key));
      ASSERT_TRUE(resolution.ok()) << resolution.error_message;
      if (resolution.variant == "new") now_new.insert(key);
    }
    for (const auto& key : previous_new) {
      ASSERT_TRUE(now_new.contains(key)) << key << " moved back to old at " << percent << " %";
    }
    double observed = 100.0 * static_cast<double>(now_new.size()) / keys.size();
    EXPECT_NEAR(observed, percent, 0.5) << "at " << percent << " %";
    previous_new = std::move(now_new);
  }
  std::filesystem::remove(file);
}

TEST(Ramp, LoweringTheShareOnlyMovesKeysNewToOld) {
  auto file = std::filesystem::temp_directory_path() /
              ("ficus-ramp-down-" + std::to_string(::getpid()) + ".json");
  std::vector<std::string> keys;
  for (int i = 0; i < 20'000; ++i) keys.push_back("k" + std::to_string(i));
  std::unordered_set<std::string> previous_new(keys.begin(), keys.end());
  for (double percent : {50.0, 12.5, 0.0001, 0.0}) {
    auto set = load_split(file, percent);
    for (const auto& key : keys) {
      auto resolution = flags::evaluate(*set, "orders-cutover", flags::EvalContext(key));
      if (resolution.variant == "new") {
        ASSERT_TRUE(previous_new.contains(key)) << key << " moved to new while lowering";
      } else {
        previous_new.erase(key);
      }
    }
  }
  EXPECT_TRUE(previous_new.empty()) << "0 % sends everyone to old";
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace ficus::proxy
