// Applies and rolls back migrations against one database: `up`, `down`, `baseline` and the
// status listing. Each migration runs in one transaction (unless `-- ficus:no-transaction`)
// under lock_timeout/statement_timeout, retried with backoff when it times out waiting for a lock.
// A session advisory lock keeps two runners from interleaving. A migration's `-- ficus:verify`
// queries run after its up statements, inside its transaction, and fail it when they return rows.
// `options.observer` is told about every migration and statement (progress view, rehearse).
//
//   auto db = open_driver("postgres://app@127.0.0.1/app");
//   RunOptions options;
//   options.gate = [](const MigrationInfo& m) {  // e.g. the cutover engine
//     return m.phase == Phase::kContract ? GateDecision::refuse("route /users is at 40 % new")
//                                        : GateDecision::allow();
//   };
//   Runner(*db, options, std::cout).up();
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "migrations/runner/driver.h"
#include "migrations/runner/history.h"
#include "migrations/runner/migration_file.h"
#include "migrations/runner/run_observer.h"

namespace ficus::migrations {

// What a pre-apply gate is told about the migration about to run.
struct MigrationInfo {
  std::string version;
  std::string name;
  Phase phase = Phase::kNone;
};

struct GateDecision {
  bool allowed = true;
  std::string refusal;  // why not, shown to the user
  static GateDecision allow() { return {}; }
  static GateDecision refuse(std::string why) { return {false, std::move(why)}; }
};

// Called for every pending migration before `up` applies anything (and, as `revert_gate`, for
// every migration `down` is about to roll back, before it rolls back anything).
using ApplyGate = std::function<GateDecision(const MigrationInfo&)>;

struct RunOptions {
  std::string dir = "migrations";
  std::optional<std::string> to_version;  // up: stop after this version
  std::int64_t lock_timeout_ms = 5000;
  std::int64_t statement_timeout_ms = 0;  // 0: none
  int lock_retries = 3;                   // extra attempts after a lock timeout
  std::int64_t retry_backoff_ms = 1000;   // doubled after each attempt
  bool wait_for_runner_lock = true;       // false: fail at once when another runner is busy
  bool allow_unsafe = false;              // apply despite error-level lint findings
  bool allow_drift = false;               // apply despite edited/missing/out-of-order files
  bool retry_failed = false;              // re-run a failed no-transaction migration
  bool progress_bar = false;  // backfill: redraw one line (terminal) instead of log lines
  ApplyGate gate;
  ApplyGate revert_gate;  // down: e.g. no rollback of an expand migration new code still reads
  RunObserver* observer = nullptr;  // told about every migration and statement; not owned
  // Called once `up` knows there is something to apply, before the first pending migration runs
  // (the --backup hook). Not called when nothing is pending.
  std::function<void(const std::vector<const MigrationFile*>& pending)> before_first_apply;
};

enum class MigrationState { kApplied, kPending, kFailed, kEdited, kMissing };
std::string_view state_name(MigrationState state);

struct StatusLine {
  std::string version;
  std::string name;
  MigrationState state = MigrationState::kPending;
  std::string phase;
  std::string applied_at;
  std::string detail;  // failure message or path
};

class Runner {
 public:
  Runner(MigrationDriver& db, RunOptions options, std::ostream& out);

  // Applies pending migrations in version order; returns how many ran. Throws MigrationError
  // (naming file, line and statement) and leaves history consistent.
  int up();
  // Rolls back the newest `steps` applied migrations, or every one newer than `to_version`.
  int down(int steps, const std::optional<std::string>& to_version);
  // Records every migration up to `version` as applied without running it (existing databases).
  int baseline(const std::string& version);
  std::vector<StatusLine> status();

  // One migration, without the lint, drift and gate checks of up() or the runner lock; for
  // `rehearse`, which drives a scratch copy migration by migration. Call ensure_history() first.
  void ensure_history() { history_.ensure_tables(); }
  void apply(const MigrationFile& file);
  void revert(const MigrationFile& file);

 private:
  void run_verify(const MigrationFile& file);
  void run_statement(const MigrationFile& file, const Statement& statement);
  void run_observed(const MigrationFile& file, Direction direction,
                    const std::function<void()>& body);
  void run_in_transaction(const MigrationFile& file, const Section& section,
                          const std::function<void()>& record);
  void run_without_transaction(const MigrationFile& file, const Section& section,
                               const std::function<void()>& record);
  void set_timeouts_for(const MigrationFile& file);
  void wait_before_retry(const MigrationFile& file, std::size_t line, int attempt);

  MigrationDriver& db_;
  RunOptions options_;
  std::ostream& out_;
  History history_;
};

}  // namespace ficus::migrations
