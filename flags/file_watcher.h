// FileWatcher: calls back when any of a few files changes, however it was changed.
//
// Generic (flag files today, the proxy's config file too): it watches each file's parent
// directory with inotify, so editors that save by writing a temp file and renaming it over the
// original are seen, and it also compares stat() (inode, size, mtime) every poll interval, which
// catches what inotify cannot (network filesystems, symlink swaps, a deleted directory). Events
// are coalesced: the callback runs once the files have been quiet for `settle`, on the
// watcher's own thread, with the files that changed.
//
//   ficus::flags::FileWatcher watcher({"/etc/ficus/flags.json"},
//       [&](const std::vector<std::filesystem::path>& changed) { store.reload_now(); });
//   watcher.start();
//   ...
//   watcher.stop();  // joins; no callback runs after it returns (do not call it from one)
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

namespace ficus::flags {

class FileWatcher {
 public:
  struct Options {
    std::chrono::milliseconds poll_interval{1000};  // stat() fallback period
    std::chrono::milliseconds settle{50};           // quiet time before calling back
    bool use_inotify = true;                        // false: the stat poll alone (tests)
  };
  using Callback = std::function<void(const std::vector<std::filesystem::path>& changed)>;

  FileWatcher(std::vector<std::filesystem::path> files, Callback on_change);
  FileWatcher(std::vector<std::filesystem::path> files, Callback on_change, Options options);
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;
  ~FileWatcher();

  // Starts the background thread. Changes made before start() are not reported.
  void start();
  // Stops and joins the thread. Idempotent.
  void stop();
  // False when inotify could not be set up; the stat poll still runs.
  bool using_inotify() const { return inotify_fd_ >= 0; }

 private:
  struct Signature {
    bool exists = false;
    std::uint64_t device = 0, inode = 0, size = 0;
    std::int64_t mtime_ns = 0, ctime_ns = 0;
    bool operator==(const Signature&) const = default;
  };
  static Signature stat_file(const std::filesystem::path& file);
  void run();

  std::vector<std::filesystem::path> files_;
  Callback on_change_;
  Options options_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;  // eventfd that stop() writes to interrupt poll()
  std::vector<std::pair<int, std::filesystem::path>> watched_dirs_;  // watch descriptor, dir
  std::vector<Signature> signatures_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace ficus::flags
