#include "migrations/runner/runner.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "migrations/lint/linter.h"
#include "migrations/lint/report.h"
#include "migrations/runner/backfill.h"
#include "migrations/runner/drift.h"
#include "migrations/runner/migration_dir.h"
#include "migrations/runner/statements.h"

namespace ficus::migrations {
namespace {

using Clock = std::chrono::steady_clock;

// Holds the runner lock for the lifetime of one command.
class RunnerLock {
 public:
  RunnerLock(MigrationDriver& db, bool wait, std::ostream& out) : db_(db) {
    if (db_.try_lock_runner()) return;
    std::string holder = db_.runner_lock_holder();
    std::string who = holder.empty() ? "another ficus migrate runner" : holder;
    if (!wait)
      throw MigrationError(
          fmt::format("another ficus migrate runner holds the migration lock "
                      "({}); try again when it has finished, or leave out "
                      "--no-wait to wait for it",
                      who));
    out << fmt::format("waiting for the migration lock held by {}\n", who) << std::flush;
    db_.lock_runner();
  }
  ~RunnerLock() {
    try {
      db_.unlock_runner();
    } catch (const std::exception&) {
      // The session ends with the command, which releases the lock anyway.
    }
  }
  RunnerLock(const RunnerLock&) = delete;
  RunnerLock& operator=(const RunnerLock&) = delete;

 private:
  MigrationDriver& db_;
};

std::int64_t elapsed_ms(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

// The file line where the database says the error is, or the statement's first line.
std::size_t error_line(const Statement& statement, const DbError& error) {
  std::size_t line = statement.line;
  if (auto position = error.position()) {
    std::string_view before = std::string_view(statement.text).substr(0, *position);
    line += static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  }
  return line;
}

std::string failure_message(const MigrationFile& file, const Statement& statement,
                            const DbError& error) {
  return fmt::format("{}:{}: {}\n  statement: {}", file.path, error_line(statement, error),
                     error.what(), statement_summary(statement.text, 200));
}

// A `-- ficus:verify` query that returned something other than no rows or one `true`.
class VerifyFailure : public MigrationError {
 public:
  using MigrationError::MigrationError;
};

bool is_true(const Value& v) {
  return v == "t" || v == "true" || v == "1";
}

std::string describe_rows(const std::vector<Row>& rows) {
  std::string out = fmt::format("{} row(s):", rows.size());
  for (std::size_t i = 0; i < rows.size() && i < 5; ++i) {
    std::string cells;
    for (const Value& v : rows[i]) cells += (cells.empty() ? "" : ", ") + v.value_or("NULL");
    out += fmt::format(" ({})", cells);
  }
  if (rows.size() > 5) out += " ...";
  return out;
}

void rollback_quietly(MigrationDriver& db) {
  try {
    db.execute("ROLLBACK");
  } catch (const DbError&) {
    // Nothing to roll back when BEGIN itself failed.
  }
}

}  // namespace

std::string_view state_name(MigrationState state) {
  switch (state) {
    case MigrationState::kApplied:
      return "applied";
    case MigrationState::kPending:
      return "pending";
    case MigrationState::kFailed:
      return "FAILED";
    case MigrationState::kEdited:
      return "EDITED";
    case MigrationState::kMissing:
      return "MISSING";
  }
  return "";
}

Runner::Runner(MigrationDriver& db, RunOptions options, std::ostream& out)
    : db_(db), options_(std::move(options)), out_(out), history_(db) {}

void Runner::set_timeouts_for(const MigrationFile& file) {
  db_.set_timeouts(file.lock_timeout_ms.value_or(options_.lock_timeout_ms),
                   file.statement_timeout_ms.value_or(options_.statement_timeout_ms));
}

void Runner::wait_before_retry(const MigrationFile& file, std::size_t line, int attempt) {
  std::int64_t delay = options_.retry_backoff_ms << std::min(attempt, 16);
  out_ << fmt::format(
              "{}:{}: lock timeout (another transaction holds a conflicting lock); retry "
              "{}/{} in {} ms\n",
              file.path, line, attempt + 1, options_.lock_retries, delay)
       << std::flush;
  std::this_thread::sleep_for(std::chrono::milliseconds(delay));
}

void Runner::run_verify(const MigrationFile& file) {
  if (!file.verify.present) return;
  for (const Statement& s : split_statements(db_.dialect(), file.verify, file.path)) {
    std::vector<Row> rows;
    try {
      rows = db_.query(s.text);
    } catch (const DbError& error) {
      throw VerifyFailure(fmt::format("{}:{}: verify query failed: {}\n  query: {}", file.path,
                                      error_line(s, error), error.what(),
                                      statement_summary(s.text, 200)));
    }
    bool ok = rows.empty() || (rows.size() == 1 && rows[0].size() == 1 && is_true(rows[0][0]));
    if (!ok)
      throw VerifyFailure(fmt::format(
          "{}:{}: verify query must return no rows or one `true`, but returned {}\n  query: {}",
          file.path, s.line, describe_rows(rows), statement_summary(s.text, 200)));
  }
}

void Runner::run_in_transaction(const MigrationFile& file, const Section& section,
                                const std::function<void()>& record) {
  std::vector<Statement> statements = split_statements(db_.dialect(), section, file.path);
  for (int attempt = 0;; ++attempt) {
    const Statement* current = nullptr;
    try {
      db_.execute("BEGIN");
      for (const Statement& s : statements) {
        current = &s;
        run_statement(file, s);
      }
      current = nullptr;
      // Inside the transaction, so a failed check rolls the migration back with it.
      if (&section == &file.up) run_verify(file);
      record();
      db_.execute("COMMIT");
      return;
    } catch (const VerifyFailure& failure) {
      rollback_quietly(db_);
      throw MigrationError(fmt::format(
          "{}\nThe migration was rolled back; history is unchanged. Fix the data or the "
          "migration and run the command again.",
          failure.what()));
    } catch (const DbError& error) {
      rollback_quietly(db_);
      if (!current) throw;  // BEGIN, history or COMMIT failed: not the migration's fault
      if (error.lock_timeout() && attempt < options_.lock_retries) {
        wait_before_retry(file, current->line, attempt);
        continue;
      }
      std::string why = error.lock_timeout()
                            ? fmt::format(
                                  "gave up after {} attempts waiting for a lock; find the "
                                  "long transaction holding it (pg_stat_activity) or "
                                  "raise --lock-timeout / --lock-retries.",
                                  attempt + 1)
                            : "Fix the statement and run the command again.";
      throw MigrationError(
          fmt::format("{}\nThe migration was rolled back; history is unchanged. {}",
                      failure_message(file, *current, error), why));
    }
  }
}

void Runner::run_statement(const MigrationFile& file, const Statement& statement) {
  auto started = Clock::now();
  if (options_.observer) options_.observer->statement_started(file, statement);
  db_.execute(statement.text);
  if (options_.observer)
    options_.observer->statement_finished(file, statement, db_.last_changes(), elapsed_ms(started));
}

void Runner::run_without_transaction(const MigrationFile& file, const Section& section,
                                     const std::function<void()>& record) {
  std::vector<Statement> statements = split_statements(db_.dialect(), section, file.path);
  std::size_t previous_line = 0;
  for (const Statement& s : statements) {
    // A `-- ficus:batch` directive marks the first statement after it (up section only).
    const BatchDirective* batch = nullptr;
    for (const BatchDirective& b : file.batches)
      if (&section == &file.up && b.line > previous_line && b.line < s.line) batch = &b;
    previous_line = s.line;
    for (int attempt = 0;; ++attempt) {
      try {
        if (batch) {
          BatchedUpdate(db_, history_, file, s, *batch)
              .run(out_, options_.progress_bar, {options_.lock_retries, options_.retry_backoff_ms});
        } else {
          run_statement(file, s);
        }
        break;
      } catch (const DbError& error) {
        if (error.lock_timeout() && attempt < options_.lock_retries) {
          wait_before_retry(file, s.line, attempt);
          continue;
        }
        std::string message = failure_message(file, s, error);
        history_.record_failure(file, error_line(s, error), message);
        throw MigrationError(fmt::format(
            "{}\n{} runs without a transaction, so the statements before line {} stay applied. It "
            "is recorded as failed and blocks `ficus migrate up`. Repair the database by hand "
            "(e.g. drop an INVALID index left by CREATE INDEX CONCURRENTLY), make the statements "
            "safe to re-run (IF NOT EXISTS), then run `ficus migrate up --retry-failed`.",
            message, file.path, error_line(s, error)));
      }
    }
  }
  if (&section == &file.up) {
    try {
      run_verify(file);
    } catch (const VerifyFailure& failure) {
      history_.record_failure(file, file.verify.first_line, failure.what());
      throw MigrationError(fmt::format(
          "{}\n{} runs without a transaction, so its statements stay applied. It is recorded as "
          "failed and blocks `ficus migrate up`. Repair the data, then run `ficus migrate up "
          "--retry-failed`.",
          failure.what(), file.path));
    }
  }
  record();
}

void Runner::apply(const MigrationFile& file) {
  run_observed(file, Direction::kUp, [&] {
    auto started = Clock::now();
    set_timeouts_for(file);
    auto record = [&] {
      history_.record_applied(file, elapsed_ms(started), current_user_and_host());
      if (!file.batches.empty()) history_.clear_backfill_progress(file.version);
    };
    // Batched backfills commit batch by batch, so their migration has no enclosing transaction.
    if (file.transaction && file.batches.empty()) {
      run_in_transaction(file, file.up, record);
    } else {
      run_without_transaction(file, file.up, record);
    }
    out_ << fmt::format("applied {}_{} in {} ms\n", file.version, file.name, elapsed_ms(started))
         << std::flush;
  });
}

void Runner::revert(const MigrationFile& file) {
  run_observed(file, Direction::kDown, [&] {
    auto started = Clock::now();
    set_timeouts_for(file);
    auto record = [&] { history_.remove_applied(file.version); };
    if (file.transaction) {
      run_in_transaction(file, file.down, record);
    } else {
      run_without_transaction(file, file.down, record);
    }
    out_ << fmt::format("rolled back {}_{} in {} ms\n", file.version, file.name,
                        elapsed_ms(started))
         << std::flush;
  });
}

void Runner::run_observed(const MigrationFile& file, Direction direction,
                          const std::function<void()>& body) {
  auto started = Clock::now();
  if (options_.observer) options_.observer->migration_started(file, direction);
  try {
    body();
  } catch (const std::exception& e) {
    if (options_.observer)
      options_.observer->migration_finished(file, direction, elapsed_ms(started), e.what());
    throw;
  }
  if (options_.observer)
    options_.observer->migration_finished(file, direction, elapsed_ms(started), "");
}

int Runner::up() {
  std::vector<MigrationFile> files = load_migration_dir(options_.dir);
  RunnerLock lock(db_, options_.wait_for_runner_lock, out_);
  db_.set_timeouts(options_.lock_timeout_ms, options_.statement_timeout_ms);
  history_.ensure_tables();

  std::vector<FailedMigration> failed = history_.failures();
  if (!failed.empty()) {
    if (!options_.retry_failed) {
      std::string lines;
      for (const FailedMigration& f : failed) lines += fmt::format("\n  {}", f.error);
      throw MigrationError(fmt::format(
          "refusing to migrate: {} no-transaction migration(s) failed midway:{}\nRepair the "
          "database by hand, then run `ficus migrate up --retry-failed` to run them again.",
          failed.size(), lines));
    }
    for (const FailedMigration& f : failed) history_.clear_failure(f.version);
  }

  std::vector<AppliedMigration> applied_now = history_.applied();
  std::vector<Drift> drift = find_drift(files, applied_now);
  if (!drift.empty() && !options_.allow_drift) {
    std::string lines;
    for (const Drift& d : drift) lines += "\n  " + describe(d);
    throw MigrationError(fmt::format(
        "refusing to migrate: the migrations folder has drifted from the database:{}\nFix the "
        "files, or pass --allow-drift to apply anyway.",
        lines));
  }

  std::map<std::string, bool> is_applied;
  for (const AppliedMigration& a : applied_now) is_applied[a.version] = true;
  std::vector<const MigrationFile*> pending;
  for (const MigrationFile& f : files) {
    if (is_applied.contains(f.version)) continue;
    if (options_.to_version && f.version > *options_.to_version) continue;
    pending.push_back(&f);
  }

  std::vector<Finding> blocking;
  for (const MigrationFile* f : pending) {
    LintOptions lint_options{db_.dialect(), f->lock_timeout_ms.value_or(options_.lock_timeout_ms)};
    std::vector<Finding> findings = lint_migration(*f, lint_options);
    bool parse_error = std::any_of(findings.begin(), findings.end(),
                                   [](const Finding& x) { return x.rule == kParseErrorId; });
    if (has_blocking_errors(findings) && (!options_.allow_unsafe || parse_error))
      for (Finding& x : findings)
        if (x.severity == Severity::kError && !x.allowed()) blocking.push_back(std::move(x));
  }
  if (!blocking.empty())
    throw MigrationError(fmt::format(
        "refusing to migrate: {} unsafe statement(s) found; nothing was applied.\n{}Rewrite them "
        "as the safe alternative says, add `-- ficus:allow RULE reason` to the file when the "
        "table is known to be small or idle, or pass --allow-unsafe.",
        blocking.size(), format_findings_text(blocking)));

  if (options_.gate) {
    for (const MigrationFile* f : pending) {
      GateDecision decision = options_.gate({f->version, f->name, f->phase});
      if (!decision.allowed)
        throw MigrationError(fmt::format("refusing to apply {}: {}; nothing was applied", f->path,
                                         decision.refusal));
    }
  }

  if (!pending.empty() && options_.before_first_apply) options_.before_first_apply(pending);
  for (const MigrationFile* f : pending) apply(*f);
  if (pending.empty()) out_ << "nothing to apply: the database is up to date\n";
  return static_cast<int>(pending.size());
}

int Runner::down(int steps, const std::optional<std::string>& to_version) {
  std::vector<MigrationFile> files = load_migration_dir(options_.dir);
  RunnerLock lock(db_, options_.wait_for_runner_lock, out_);
  db_.set_timeouts(options_.lock_timeout_ms, options_.statement_timeout_ms);
  history_.ensure_tables();
  std::map<std::string, const MigrationFile*> by_version;
  for (const MigrationFile& f : files) by_version[f.version] = &f;

  std::vector<AppliedMigration> applied_now = history_.applied();
  std::reverse(applied_now.begin(), applied_now.end());
  std::vector<const MigrationFile*> targets;
  for (const AppliedMigration& a : applied_now) {
    if (to_version ? a.version <= *to_version : static_cast<int>(targets.size()) >= steps) break;
    auto file = by_version.find(a.version);
    if (file == by_version.end())
      throw MigrationError(
          fmt::format("cannot roll back {}_{}: its file is missing from {}; "
                      "restore it first",
                      a.version, a.name, options_.dir));
    const Section& down = file->second->down;
    if (!down.present || skip_space_and_comments(down.sql, 0, down.sql.size()) == down.sql.size())
      throw MigrationError(
          fmt::format("cannot roll back {}: it has no `-- ficus:down` "
                      "statements; add them or write a new forward migration",
                      file->second->path));
    targets.push_back(file->second);
  }
  if (options_.revert_gate) {
    for (const MigrationFile* f : targets) {
      GateDecision decision = options_.revert_gate({f->version, f->name, f->phase});
      if (!decision.allowed)
        throw MigrationError(fmt::format("refusing to roll back {}: {}; nothing was rolled back",
                                         f->path, decision.refusal));
    }
  }
  for (const MigrationFile* f : targets) revert(*f);
  if (targets.empty()) out_ << "nothing to roll back\n";
  return static_cast<int>(targets.size());
}

int Runner::baseline(const std::string& version) {
  std::vector<MigrationFile> files = load_migration_dir(options_.dir);
  bool known = std::any_of(files.begin(), files.end(),
                           [&](const MigrationFile& f) { return f.version == version; });
  if (!known)
    throw MigrationError(
        fmt::format("no migration file in {} has version {}; pass the version of "
                    "the newest migration already present in the database",
                    options_.dir, version));
  RunnerLock lock(db_, options_.wait_for_runner_lock, out_);
  db_.set_timeouts(options_.lock_timeout_ms, options_.statement_timeout_ms);
  history_.ensure_tables();
  std::map<std::string, bool> is_applied;
  for (const AppliedMigration& a : history_.applied()) is_applied[a.version] = true;
  int recorded = 0;
  db_.execute("BEGIN");
  try {
    for (const MigrationFile& f : files) {
      if (f.version > version || is_applied.contains(f.version)) continue;
      history_.record_applied(f, 0, "baseline by " + current_user_and_host());
      out_ << fmt::format("marked {}_{} as applied (not run)\n", f.version, f.name);
      ++recorded;
    }
    db_.execute("COMMIT");
  } catch (...) {
    rollback_quietly(db_);
    throw;
  }
  return recorded;
}

std::vector<StatusLine> Runner::status() {
  std::vector<MigrationFile> files = load_migration_dir(options_.dir);
  std::vector<AppliedMigration> applied_now;
  std::vector<FailedMigration> failed;
  if (history_.exists()) {
    history_.ensure_tables();
    applied_now = history_.applied();
    failed = history_.failures();
  }
  std::map<std::string, StatusLine> lines;
  for (const MigrationFile& f : files)
    lines[f.version] = {
        f.version, f.name, MigrationState::kPending, std::string(phase_name(f.phase)), "", f.path};
  for (const AppliedMigration& a : applied_now) {
    auto it = lines.find(a.version);
    if (it == lines.end()) {
      lines[a.version] = {a.version, a.name,       MigrationState::kMissing,
                          a.phase,   a.applied_at, "file missing"};
      continue;
    }
    bool edited = std::any_of(files.begin(), files.end(), [&](const MigrationFile& f) {
      return f.version == a.version && f.checksum != a.checksum;
    });
    it->second.state = edited ? MigrationState::kEdited : MigrationState::kApplied;
    it->second.applied_at = a.applied_at;
  }
  for (const FailedMigration& f : failed) {
    StatusLine& line = lines[f.version];
    line.version = f.version;
    line.name = f.name;
    line.state = MigrationState::kFailed;
    line.detail = f.error;
  }
  std::vector<StatusLine> out;
  for (auto& [version, line] : lines) out.push_back(std::move(line));
  return out;
}

}  // namespace ficus::migrations
