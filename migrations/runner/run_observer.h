// Hooks the runner calls around every migration and statement it runs, so watchers (the status
// line and `--json` progress of `up`, the measurements of `rehearse`) live outside the runner.
// Every hook runs on the runner's thread; a hook must not throw.
//
//   class Printer : public RunObserver {
//     void statement_started(const MigrationFile& f, const Statement& s) override {
//       fmt::print("{}:{} {}\n", f.path, s.line, statement_summary(s.text));
//     }
//   };
//   Printer printer;
//   options.observer = &printer;
#pragma once

#include <cstdint>
#include <string>

#include "migrations/runner/migration_file.h"
#include "migrations/runner/statements.h"

namespace ficus::migrations {

enum class Direction { kUp, kDown };

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void migration_started(const MigrationFile& /*file*/, Direction /*direction*/) {}
  virtual void statement_started(const MigrationFile& /*file*/, const Statement& /*statement*/) {}
  // `rows`: rows the statement inserted, updated or deleted (0 for DDL).
  virtual void statement_finished(const MigrationFile& /*file*/, const Statement& /*statement*/,
                                  std::int64_t /*rows*/, std::int64_t /*elapsed_ms*/) {}
  // `error` is empty on success; otherwise the message the runner is about to throw.
  virtual void migration_finished(const MigrationFile& /*file*/, Direction /*direction*/,
                                  std::int64_t /*elapsed_ms*/, const std::string& /*error*/) {}
};

}  // namespace ficus::migrations
