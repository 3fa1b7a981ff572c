// What `ficus migrate up` shows while it runs: the current file and statement, the elapsed time
// and, on PostgreSQL, whether the statement waits for a lock and which backend holds it (from a
// LockSampler), so an operator sees a lock queue forming. Three forms:
//   kStatusLine  a terminal: one line redrawn every 200 ms
//   kLogLines    not a terminal: a line per statement and one when a lock wait starts
//   kJson        `--json`: one JSON object per line per event (migration_start, statement_start,
//                lock_wait, statement_done, migration_done)
//
//   LockSampler sampler(url, backend_pid);  // PostgreSQL only; nullptr elsewhere
//   ProgressReporter progress(std::cout, ProgressReporter::Mode::kJson, &sampler);
//   options.observer = &progress;
//   Runner(*db, options, std::cerr).up();
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "migrations/runner/lock_sampler.h"
#include "migrations/runner/run_observer.h"

namespace ficus::migrations {

class ProgressReporter : public RunObserver {
 public:
  enum class Mode { kStatusLine, kLogLines, kJson };

  // `sampler` may be null (SQLite); it is started and stopped around each migration.
  ProgressReporter(std::ostream& out, Mode mode, LockSampler* sampler);
  ~ProgressReporter() override;
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  void migration_started(const MigrationFile& file, Direction direction) override;
  void statement_started(const MigrationFile& file, const Statement& statement) override;
  void statement_finished(const MigrationFile& file, const Statement& statement, std::int64_t rows,
                          std::int64_t elapsed_ms) override;
  void migration_finished(const MigrationFile& file, Direction direction, std::int64_t elapsed_ms,
                          const std::string& error) override;

 private:
  void tick();  // ticker thread: redraw, or report a new lock wait
  void stop_ticker();
  void emit(const std::string& line);  // caller holds mutex_

  std::ostream& out_;
  Mode mode_;
  LockSampler* sampler_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool ticking_ = false;
  std::thread ticker_;
  std::string file_;
  std::string version_;
  std::size_t line_ = 0;
  std::string statement_;
  std::chrono::steady_clock::time_point statement_started_;
  bool in_statement_ = false;
  std::string reported_wait_;  // blocking pid + relation of the wait already reported
  bool line_drawn_ = false;
};

}  // namespace ficus::migrations
