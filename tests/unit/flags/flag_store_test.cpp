// FlagStore: whole-set validation, atomic swaps, reload on change, last good set kept.
#include "flags/flag_store.h"

#include <atomic>
#include <condition_variable>
#include <thread>

#include <gtest/gtest.h>

#include "flags/evaluator.h"
#include "temp_dir.h"

namespace ficus::flags {
namespace {

using namespace std::chrono_literals;

// Three flags whose values all equal `generation`, so a reader can tell whether it saw one
// whole set.
std::string numbered_flags(int generation) {
  std::string flags;
  for (const char* key : {"a", "b", "c"}) {
    flags += std::string(flags.empty() ? "" : ",") + "\"" + key +
             R"(": {"state": "ENABLED", "variants": {"v": )" + std::to_string(generation) +
             R"(}, "defaultVariant": "v"})";
  }
  return "{\"flags\": {" + flags + "}}";
}

int value_of(const FlagSet& set, std::string_view key) {
  const auto r = evaluate(set, key, EvalContext());
  return r.value ? r.value->get<int>() : -1;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

FlagStore::Options quick_options() {
  FlagStore::Options options;
  options.watcher.settle = 10ms;
  options.watcher.poll_interval = 200ms;
  return options;
}

TEST(FlagStore, StartLoadsTheFirstGeneration) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", numbered_flags(1));
  FlagStore store({"file:" + file}, quick_options());
  EXPECT_EQ(store.generation(), 0u);
  EXPECT_EQ(store.current()->size(), 0u) << "an empty set, never null, before loading";
  EXPECT_TRUE(store.start().empty());
  EXPECT_EQ(store.generation(), 1u);
  EXPECT_EQ(value_of(*store.current(), "a"), 1);
  EXPECT_EQ(store.last_error(), "");
}

TEST(FlagStore, InvalidReloadKeepsTheLastGoodSetAndNamesFileAndPath) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", numbered_flags(1));
  FlagStore::Options options = quick_options();
  options.watch = false;
  FlagStore store({"file:" + file}, options);
  ASSERT_TRUE(store.start().empty());
  dir.write("flags.json", R"({"flags": {"orders-cutover": {"state": "ENABLED", "variants": {}}}})");
  const auto errors = store.reload_now();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], file + ": flags.orders-cutover.variants: must be a non-empty object");
  EXPECT_EQ(store.last_error(), errors[0]);
  EXPECT_EQ(store.generation(), 1u);
  EXPECT_EQ(value_of(*store.current(), "a"), 1);
  dir.write("flags.json", numbered_flags(2));
  EXPECT_TRUE(store.reload_now().empty());
  EXPECT_EQ(store.generation(), 2u);
  EXPECT_EQ(store.last_error(), "");
}

TEST(FlagStore, ReloadOfUnchangedBytesPublishesNothing) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", numbered_flags(1));
  FlagStore store({"file:" + file}, quick_options());
  ASSERT_TRUE(store.start().empty());
  const auto before = store.current();
  EXPECT_TRUE(store.reload_now().empty());
  EXPECT_EQ(store.generation(), 1u);
  EXPECT_EQ(store.current(), before);
}

TEST(FlagStore, ListenersSeeTheSetsBeforeAndAfter) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", numbered_flags(1));
  FlagStore::Options options = quick_options();
  options.watch = false;
  FlagStore store({"file:" + file}, options);
  std::vector<std::pair<int, int>> seen;
  store.on_change([&](const auto& before, const auto& after) {
    seen.emplace_back(before->size() ? value_of(*before, "a") : 0, value_of(*after, "a"));
  });
  std::vector<std::string> failures;
  store.on_reload_failed([&](const auto& errors) {
    failures = errors;
    EXPECT_EQ(store.last_error(), errors.at(0)) << "listeners may read the store";
  });
  ASSERT_TRUE(store.start().empty());
  dir.write("flags.json", numbered_flags(2));
  ASSERT_TRUE(store.reload_now().empty());
  dir.write("flags.json", "{");
  EXPECT_FALSE(store.reload_now().empty());
  EXPECT_EQ(seen, (std::vector<std::pair<int, int>>{{0, 1}, {1, 2}}));
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("invalid JSON"), std::string::npos) << failures[0];
}

TEST(FlagStore, LaterSourcesWinPerKey) {
  testing::TempDir dir;
  const auto base = dir.write("base.json", numbered_flags(1));
  const auto overrides = dir.write(
      "override.json",
      R"({"flags": {"b": {"state": "ENABLED", "variants": {"v": 9}, "defaultVariant": "v"}}})");
  FlagStore store({"file:" + base, "file:" + overrides}, quick_options());
  ASSERT_TRUE(store.start().empty());
  EXPECT_EQ(value_of(*store.current(), "a"), 1);
  EXPECT_EQ(value_of(*store.current(), "b"), 9);
}

TEST(FlagStore, ReloadsWhenAnEditorReplacesTheFileByRename) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", numbered_flags(1));
  FlagStore store({"file:" + file}, quick_options());
  ASSERT_TRUE(store.start().empty());
  dir.replace("flags.json", numbered_flags(2));
  ASSERT_TRUE(wait_until([&] { return store.generation() == 2; }));
  EXPECT_EQ(value_of(*store.current(), "c"), 2);
}

TEST(FlagStore, WriterInPiecesIsRetriedNotRejected) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", numbered_flags(1));
  FlagStore store({"file:" + file}, quick_options());
  std::atomic<int> failures{0};
  store.on_reload_failed([&](const auto&) { ++failures; });
  ASSERT_TRUE(store.start().empty());
  const std::string text = numbered_flags(2);
  {
    std::ofstream out(file, std::ios::trunc);
    out << text.substr(0, text.size() / 2) << std::flush;
    std::this_thread::sleep_for(150ms);  // the watcher fires and reads half a document
    out << text.substr(text.size() / 2);
  }
  ASSERT_TRUE(wait_until([&] { return store.generation() == 2; }));
  EXPECT_EQ(value_of(*store.current(), "a"), 2);
  EXPECT_EQ(failures, 0) << "the half-written file was retried, not reported";
}

TEST(FlagStore, FailedStartServesNothingAndRecoversWhenTheFileIsFixed) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", R"({"flags": {"a": {"state": "ON"}}})");
  FlagStore::Options options = quick_options();
  options.retry_for = 0ms;
  FlagStore store({"file:" + file}, options);
  const auto errors = store.start();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].substr(0, file.size()), file);
  EXPECT_EQ(store.generation(), 0u);
  EXPECT_EQ(evaluate(*store.current(), "a", EvalContext()).error_code, ErrorCode::FLAG_NOT_FOUND);
  dir.replace("flags.json", numbered_flags(1));
  ASSERT_TRUE(wait_until([&] { return store.generation() == 1; }));
  EXPECT_EQ(value_of(*store.current(), "a"), 1);
}

TEST(FlagStore, ThousandReloadsWhileTwoThreadsEvaluateEachSeeOneWholeGeneration) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", numbered_flags(1));
  FlagStore::Options options;
  options.watch = false;  // reload_now() drives the reloads as fast as it can
  FlagStore store({"file:" + file}, options);
  ASSERT_TRUE(store.start().empty());

  std::atomic<bool> done{false};
  std::atomic<int> torn{0}, backwards{0}, evaluations{0};
  auto reader = [&] {
    int last = 0;
    while (!done) {
      const std::shared_ptr<const FlagSet> set = store.current();
      const int a = value_of(*set, "a"), b = value_of(*set, "b"), c = value_of(*set, "c");
      if (a != b || b != c) ++torn;
      if (a < last) ++backwards;
      last = a;
      ++evaluations;
      std::this_thread::yield();  // two cores are shared with the writer
    }
  };
  std::thread r1(reader), r2(reader);
  for (int generation = 2; generation <= 1001; ++generation) {
    dir.write("flags.json", numbered_flags(generation));
    ASSERT_TRUE(store.reload_now().empty()) << store.last_error();
  }
  done = true;
  r1.join();
  r2.join();
  EXPECT_EQ(store.generation(), 1001u);
  EXPECT_EQ(value_of(*store.current(), "a"), 1001);
  EXPECT_EQ(torn, 0);
  EXPECT_EQ(backwards, 0);
  EXPECT_GT(evaluations, 0);
}

}  // namespace
}  // namespace ficus::flags
