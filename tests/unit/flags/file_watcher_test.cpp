// FileWatcher on real files in a temp directory.
#include "flags/file_watcher.h"

#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace ficus::flags {
namespace {

using namespace std::chrono_literals;

// Collects callbacks and lets the test wait for them.
class Changes {
 public:
  FileWatcher::Callback callback() {
    return [this](const std::vector<std::filesystem::path>& changed) {
      std::lock_guard lock(mutex_);
      calls_.push_back(changed);
      cv_.notify_all();
    };
  }
  bool wait_for_calls(std::size_t n, std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return calls_.size() >= n; });
  }
  std::vector<std::vector<std::filesystem::path>> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::vector<std::filesystem::path>> calls_;
};

TEST(FileWatcher, ReportsAnInPlaceWrite) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", "one");
  Changes changes;
  FileWatcher watcher({file}, changes.callback(), {.poll_interval = 10s, .settle = 20ms});
  ASSERT_TRUE(watcher.using_inotify());
  watcher.start();
  dir.write("flags.json", "two");
  ASSERT_TRUE(changes.wait_for_calls(1));
  EXPECT_EQ(changes.calls()[0], std::vector<std::filesystem::path>{file});
}

TEST(FileWatcher, ReportsAReplacementByRename) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", "one");
  Changes changes;
  FileWatcher watcher({file}, changes.callback(), {.poll_interval = 10s, .settle = 20ms});
  watcher.start();
  dir.replace("flags.json", "two");
  ASSERT_TRUE(changes.wait_for_calls(1)) << "inotify on the directory sees the rename";
}

TEST(FileWatcher, CoalescesABurstOfWritesIntoOneCallback) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", "0");
  Changes changes;
  // A generous quiet period, so a loaded CI machine cannot split the burst.
  FileWatcher watcher({file}, changes.callback(), {.poll_interval = 10s, .settle = 500ms});
  watcher.start();
  for (int i = 1; i <= 5; ++i) dir.write("flags.json", std::to_string(i));
  ASSERT_TRUE(changes.wait_for_calls(1));
  std::this_thread::sleep_for(700ms);
  EXPECT_EQ(changes.calls().size(), 1u);
}

TEST(FileWatcher, IgnoresOtherFilesInTheDirectory) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", "one");
  Changes changes;
  FileWatcher watcher({file}, changes.callback(), {.poll_interval = 10s, .settle = 20ms});
  watcher.start();
  dir.write("other.json", "noise");
  EXPECT_FALSE(changes.wait_for_calls(1, 300ms));
}

TEST(FileWatcher, StatPollAloneNoticesChangesDeletionAndRecreation) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", "one");
  Changes changes;
  FileWatcher watcher({file}, changes.callback(),
                      {.poll_interval = 50ms, .settle = 10ms, .use_inotify = false});
  EXPECT_FALSE(watcher.using_inotify());
  watcher.start();
  dir.write("flags.json", "a longer text");
  ASSERT_TRUE(changes.wait_for_calls(1));
  std::filesystem::remove(file);
  ASSERT_TRUE(changes.wait_for_calls(2));
  dir.write("flags.json", "back");
  ASSERT_TRUE(changes.wait_for_calls(3));
}

TEST(FileWatcher, NoCallbackAfterStopReturns) {
  testing::TempDir dir;
  const auto file = dir.write("flags.json", "one");
  Changes changes;
  FileWatcher watcher({file}, changes.callback(), {.poll_interval = 20ms, .settle = 10ms});
  watcher.start();
  watcher.stop();
  watcher.stop();  // idempotent
  dir.write("flags.json", "two");
  EXPECT_FALSE(changes.wait_for_calls(1, 200ms));
}

}  // namespace
}  // namespace ficus::flags
