// Watches the locks of one PostgreSQL backend (the migration's) from a second connection: which
// relation locks it holds and for roughly how long, and whether it is waiting for a lock and
// which backend holds it (pg_locks, pg_blocking_pids, pg_stat_activity). A thread samples every
// `interval`; sample_now() adds a sample on demand (after each statement, so short locks held to
// the end of a transaction are seen). Durations are therefore approximate: first to last sample.
//
//   LockSampler sampler(url, migration_backend_pid);
//   sampler.start();
//   ...  // run statements on the migration connection
//   if (auto wait = sampler.current_wait()) fmt::print("waiting for {}\n", describe(*wait));
//   for (const HeldLock& l : sampler.held()) ...;
//   sampler.stop();
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "migrations/runner/driver.h"

namespace ficus::migrations {

struct HeldLock {
  std::string mode;          // "ACCESS EXCLUSIVE"
  std::string relation;      // "public.users"
  std::int64_t held_ms = 0;  // first to last sample that saw it
};

struct LockWait {
  std::string mode;
  std::string relation;
  std::string blocking_pid;
  std::string blocking_application;
  std::string blocking_state;   // "idle in transaction", "active", ...
  std::string blocking_query;   // the blocker's last statement, shortened
  std::int64_t waiting_ms = 0;  // since the sampler first saw the wait
};

// "ACCESS EXCLUSIVE on public.users held by backend 4242 (psql, idle in transaction: LOCK ...)"
std::string describe(const LockWait& wait);

class LockSampler {
 public:
  // Opens its own connection to `db_url`; `backend_pid` is the watched backend's
  // pg_backend_pid(). Throws MigrationError when it cannot connect.
  LockSampler(const std::string& db_url, std::string backend_pid,
              std::chrono::milliseconds interval = std::chrono::milliseconds(20));
  ~LockSampler();
  LockSampler(const LockSampler&) = delete;
  LockSampler& operator=(const LockSampler&) = delete;

  void start();  // begins sampling on a thread
  void stop();   // joins it; held() and current_wait() stay readable
  void sample_now();
  void reset();  // forgets the held locks seen so far

  std::vector<HeldLock> held() const;
  std::optional<LockWait> current_wait() const;

 private:
  struct Seen {
    std::string mode;
    std::string relation;
    std::chrono::steady_clock::time_point first;
    std::chrono::steady_clock::time_point last;
  };
  void run();

  std::unique_ptr<MigrationDriver> db_;
  std::string pid_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;  // guards db_ use and everything below
  std::condition_variable wake_;
  bool running_ = false;
  std::vector<Seen> seen_;
  std::optional<LockWait> wait_;
  std::chrono::steady_clock::time_point wait_since_;
  std::thread thread_;
};

}  // namespace ficus::migrations
