// FlagStore: flag sources in, the current merged FlagSet out, reloaded when a file changes.
//
// Each reload reads every source, validates the whole set and only then swaps it in atomically
// (ficus::Snapshot); readers keep whatever set they loaded for as long as they hold it. An
// invalid file is rejected with its path and JSON path and the last good set keeps serving.
// A file-change reload retries the parse for a moment first, because writers that write in
// pieces and editors that replace by rename can leave a half-written or missing file briefly.
// Reloads that change nothing (same bytes) do not publish a new generation.
//
// If the first load fails, start() returns the errors and the store serves an empty set (every
// flag FLAG_NOT_FOUND, so callers use their code defaults) while it keeps watching, so fixing
// the file recovers. `ficus serve` should refuse to start on those errors; the store leaves
// that decision to its owner.
//
//   ficus::flags::FlagStore store({"file:/etc/ficus/flags.json"});
//   if (auto errors = store.start(); !errors.empty()) { /* print, exit 1 */ }
//   store.on_change([](const auto& before, const auto& after) { audit(before, after); });
//   std::shared_ptr<const ficus::flags::FlagSet> flags = store.current();  // once per request
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/snapshot.h"
#include "flags/file_watcher.h"
#include "flags/flag_set.h"

namespace ficus::flags {

class FlagStore {
 public:
  struct Options {
    ParseOptions parse;  // strict by default
    bool watch = true;   // false: only reload_now() reloads
    FileWatcher::Options watcher;
    // After a file change, an invalid read is retried this long before it counts as invalid.
    std::chrono::milliseconds retry_for{500};
    std::chrono::milliseconds retry_every{25};
  };
  // Runs after a new set is published, on the thread that reloaded, in generation order. It may
  // read the store (current(), generation(), last_error()) but not call reload_now() or stop().
  using ChangeListener = std::function<void(const std::shared_ptr<const FlagSet>& before,
                                            const std::shared_ptr<const FlagSet>& after)>;
  // Runs when a reload is rejected, with the errors; the previous set keeps serving.
  using ErrorListener = std::function<void(const std::vector<std::string>& errors)>;

  explicit FlagStore(std::vector<std::string> sources);
  FlagStore(std::vector<std::string> sources, Options options);
  FlagStore(const FlagStore&) = delete;
  FlagStore& operator=(const FlagStore&) = delete;
  ~FlagStore();

  // Loads once and starts watching. Returns the errors of the first load (empty = success).
  std::vector<std::string> start();
  // Stops watching. Idempotent; the current set stays readable.
  void stop();

  // Never null: an empty set before the first successful load.
  std::shared_ptr<const FlagSet> current() const { return snapshot_.load(); }
  // The snapshot itself, for a per-thread LocalSnapshot view on the request path.
  const Snapshot<FlagSet>& snapshot() const { return snapshot_; }
  // How many sets have been published (0 before the first successful load).
  std::uint64_t generation() const { return snapshot_.generation(); }

  // Reloads synchronously, once, without retrying. Returns the errors (empty = success).
  std::vector<std::string> reload_now();
  // The errors of the most recent load attempt, one per line; empty when it succeeded.
  std::string last_error() const;

  void on_change(ChangeListener listener);
  void on_reload_failed(ErrorListener listener);

 private:
  std::vector<std::string> reload(bool retry);

  std::vector<std::string> sources_;
  Options options_;
  Snapshot<FlagSet> snapshot_{std::make_shared<const FlagSet>()};

  std::mutex reload_mutex_;  // serialises reloads; guards last_texts_
  std::vector<std::string> last_texts_;
  mutable std::mutex mutex_;  // guards the fields below
  std::vector<std::string> last_errors_;
  std::vector<ChangeListener> change_listeners_;
  std::vector<ErrorListener> error_listeners_;

  std::unique_ptr<FileWatcher> watcher_;
};

}  // namespace ficus::flags
