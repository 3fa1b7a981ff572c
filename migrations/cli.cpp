#include "migrations/cli.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "config/redaction.h"
#include "migrations/lint/linter.h"
#include "migrations/lint/report.h"
#include "migrations/migrate_config.h"
#include "migrations/runner/backup.h"
#include "migrations/runner/drift.h"
#include "migrations/runner/lock_sampler.h"
#include "migrations/runner/migration_dir.h"
#include "migrations/runner/plan.h"
#include "migrations/runner/progress.h"
#include "migrations/runner/rehearsal.h"

namespace ficus::migrations {
namespace {

constexpr int kExitFailure = 1;

struct CliState {
  std::string db;
  std::string dir;           // "" until apply_config: flag, else config, else "migrations"
  std::string lock_timeout;  // "" until apply_config: flag, else config, else 5s
  std::string config;        // --config, else $FICUS_CONFIG
  std::string backup_dir;
  BackupTools tools;
  std::string from;
  bool yes = false;
  bool keep = false;
  bool json = false;
  std::string statement_timeout;  // "" until apply_config: flag, else config, else 0 (none)
  std::string retry_backoff = "1s";
  int lock_retries = 3;
  bool no_wait = false;
  bool allow_unsafe = false;
  bool allow_drift = false;
  bool retry_failed = false;
  std::string to;
  int steps = 1;
  std::string name;
  std::string version;
  bool exit_code = false;
  std::vector<std::string> files;
  std::string format = "text";
  std::string dialect;
  bool allow_unplanned_contract = false;
  std::optional<std::string> proxy_admin;  // migrate.proxy_admin of the config
  MigrateGates gates;
};

std::int64_t duration_flag(const std::string& flag, const std::string& text) {
  auto ms = parse_duration_ms(text);
  if (!ms)
    throw MigrationError(
        fmt::format("{} `{}` is not a duration; write e.g. 5s, 250ms, 2min or 0", flag, text));
  return *ms;
}

RunOptions run_options(const CliState& s) {
  RunOptions o;
  o.dir = s.dir;
  o.lock_timeout_ms = duration_flag("--lock-timeout", s.lock_timeout);
  o.statement_timeout_ms = duration_flag("--statement-timeout", s.statement_timeout);
  o.retry_backoff_ms = duration_flag("--retry-backoff", s.retry_backoff);
  o.lock_retries = s.lock_retries;
  o.wait_for_runner_lock = !s.no_wait;
  o.allow_unsafe = s.allow_unsafe;
  o.allow_drift = s.allow_drift;
  o.retry_failed = s.retry_failed;
  if (!s.to.empty()) o.to_version = s.to;
  o.progress_bar = isatty(STDOUT_FILENO) == 1;
  return o;
}

// Runs one verb: MigrationError becomes a message on stderr and a non-zero exit.
void run_verb(const std::function<int()>& verb) {
  int code = 0;
  try {
    code = verb();
  } catch (const MigrationError& e) {
    std::cerr << "error: " << e.what() << '\n';
    code = kExitFailure;
  }
  std::cout << std::flush;
  if (code != 0) throw CLI::RuntimeError(code);
}

void add_location_options(CLI::App& cmd, CliState& s) {
  cmd.add_option("--db", s.db,
                 "Database URL: postgres://... or sqlite:PATH (default: $DATABASE_URL, else "
                 "sqlite:ficus.db)");
  cmd.add_option("--config", s.config,
                 "ficus JSON config whose `migrate` object supplies defaults (default: "
                 "$FICUS_CONFIG)");
  cmd.add_option("--dir", s.dir,
                 "Folder holding the migration files (default: migrate.dir of the config, else "
                 "migrations)");
}

void add_apply_options(CLI::App& cmd, CliState& s) {
  cmd.add_option("--lock-timeout", s.lock_timeout,
                 "lock_timeout per migration, so DDL waiting behind a long transaction does not "
                 "queue all traffic behind it (0: none; default: migrate.lock_timeout_ms of the "
                 "config, else 5s)");
  cmd.add_option("--statement-timeout", s.statement_timeout,
                 "statement_timeout per migration (0: none; default: migrate.statement_timeout_ms "
                 "of the config, else none)");
  cmd.add_option("--lock-retries", s.lock_retries, "Retries after a lock timeout")
      ->capture_default_str();
  cmd.add_option("--retry-backoff", s.retry_backoff, "First wait before a retry; doubles each time")
      ->capture_default_str();
  cmd.add_flag("--no-wait", s.no_wait, "Fail at once if another runner holds the migration lock");
}

std::string db_of(const CliState& s) {
  return resolve_db_url(s.db);
}

// Fills what no flag gave from the `migrate` object of the config file, then the defaults.
void apply_config(CliState& s) {
  if (s.config.empty())
    if (const char* env = std::getenv("FICUS_CONFIG"); env && *env) s.config = env;
  MigrateConfig c;
  if (!s.config.empty()) c = load_migrate_config(s.config);
  const char* env_db = std::getenv("DATABASE_URL");
  if (s.db.empty() && !(env_db && *env_db) && c.db) s.db = *c.db;
  if (s.dir.empty()) s.dir = c.dir.value_or("migrations");
  if (s.lock_timeout.empty())
    s.lock_timeout = c.lock_timeout_ms ? std::to_string(*c.lock_timeout_ms) : "5s";
  if (s.statement_timeout.empty())
    s.statement_timeout = c.statement_timeout_ms ? std::to_string(*c.statement_timeout_ms) : "0";
  if (s.backup_dir.empty() && c.backup_dir) s.backup_dir = *c.backup_dir;
  if (c.pg_dump) s.tools.pg_dump = *c.pg_dump;
  if (c.pg_restore) s.tools.pg_restore = *c.pg_restore;
  s.proxy_admin = c.proxy_admin;
}

// The gates for a verb that applies (up, plan) or rolls back (down), made now that the config,
// database and folder are known.
void add_gates(const CliState& s, RunOptions& options) {
  GateContext context{s.config, db_of(s), s.dir, s.proxy_admin, s.allow_unplanned_contract};
  if (s.gates.apply) options.gate = s.gates.apply(context);
  if (s.gates.revert) options.revert_gate = s.gates.revert(context);
}

int verb_new(CliState& s) {
  std::cout << "created " << create_migration_file(s.dir, s.name) << '\n';
  return 0;
}

int verb_up(CliState& s) {
  RunOptions options = run_options(s);
  add_gates(s, options);
  std::string url = db_of(s);
  auto db = open_driver(url);
  if (!s.backup_dir.empty()) {
    options.before_first_apply = [&](const std::vector<const MigrationFile*>& pending) {
      BackupRecord b = take_backup(*db, url, s.backup_dir, s.tools, pending.front()->version);
      (s.json ? std::cerr : std::cout)
          << fmt::format("backup {} ({} bytes, sha256 {})\n", b.file, b.bytes, b.sha256)
          << std::flush;
    };
  }
  // The lock view needs the runner's backend pid and a second connection (PostgreSQL only).
  std::unique_ptr<LockSampler> sampler;
  if (db->dialect() == Dialect::kPostgres)
    sampler = std::make_unique<LockSampler>(
        url, db->query("SELECT pg_backend_pid()").at(0).at(0).value_or(""));
  ProgressReporter::Mode mode = s.json                       ? ProgressReporter::Mode::kJson
                                : isatty(STDOUT_FILENO) == 1 ? ProgressReporter::Mode::kStatusLine
                                                             : ProgressReporter::Mode::kLogLines;
  ProgressReporter progress(std::cout, mode, sampler.get());
  options.observer = &progress;
  // With --json, stdout carries only events; the runner's own lines go to stderr.
  Runner(*db, options, s.json ? std::cerr : std::cout).up();
  return 0;
}

int verb_rehearse(CliState& s) {
  RehearseOptions options;
  options.run = run_options(s);
  options.tools = s.tools;
  options.keep = s.keep;
  RehearsalReport report = rehearse(db_of(s), options);
  std::cout << format_rehearsal(report);
  return report.ok() ? 0 : kExitFailure;
}

int verb_backups(CliState& s) {
  auto db = open_driver(db_of(s));
  std::vector<BackupRecord> backups = list_backups(*db);
  for (const BackupRecord& b : backups)
    std::cout << fmt::format("{}  {}  {} bytes  sha256 {}\n  at {} before {} by {}\n", b.taken_at,
                             b.file, b.bytes, b.sha256,
                             b.db_version.empty() ? "(nothing applied)" : b.db_version,
                             b.before_version, b.taken_by);
  std::cout << fmt::format("{} backup(s)\n", backups.size());
  return 0;
}

int verb_restore(CliState& s) {
  std::string url = db_of(s);
  if (!s.yes) {
    std::cerr << fmt::format(
        "error: restore replaces everything in {} with {}; run again with --yes to do it\n",
        config::redact_url_credentials(url), s.from.empty() ? "the newest backup" : s.from);
    return kExitFailure;
  }
  std::optional<std::string> from;
  if (!s.from.empty()) from = s.from;
  std::cout << restore_backup(url, from, s.tools);
  return 0;
}

int verb_down(CliState& s) {
  RunOptions options = run_options(s);
  add_gates(s, options);
  auto db = open_driver(db_of(s));
  std::optional<std::string> to;
  if (!s.to.empty()) to = s.to;
  Runner(*db, options, std::cout).down(s.steps, to);
  return 0;
}

int verb_status(CliState& s) {
  auto db = open_driver(db_of(s));
  RunOptions options = run_options(s);
  std::vector<StatusLine> lines = Runner(*db, options, std::cout).status();
  int pending = 0;
  for (const StatusLine& l : lines) {
    if (l.state == MigrationState::kPending) ++pending;
    std::string phase = l.phase.empty() ? "" : fmt::format(" [{}]", l.phase);
    std::string when = l.applied_at.empty() ? "" : "  " + l.applied_at;
    std::cout << fmt::format("{:<8} {}_{}{}{}\n", state_name(l.state), l.version, l.name, phase,
                             when);
    if (l.state == MigrationState::kFailed) std::cout << "         " << l.detail << '\n';
  }
  std::cout << fmt::format("{} migration(s), {} pending\n", lines.size(), pending);
  return s.exit_code && pending > 0 ? kExitFailure : 0;
}

int verb_lint(CliState& s) {
  Dialect dialect = Dialect::kPostgres;
  if (s.dialect == "sqlite") {
    dialect = Dialect::kSqlite;
  } else if (s.dialect.empty() && (!s.db.empty() || std::getenv("DATABASE_URL"))) {
    dialect = dialect_of_url(db_of(s));
  }
  LintOptions options{dialect, duration_flag("--lock-timeout", s.lock_timeout)};
  std::vector<MigrationFile> files;
  if (s.files.empty()) {
    files = load_migration_dir(s.dir);
  } else {
    for (const std::string& path : s.files)
      files.push_back(read_migration_file(path, FileNaming::kAnyName));
  }
  std::vector<Finding> findings;
  for (const MigrationFile& f : files) {
    std::vector<Finding> more = lint_migration(f, options);
    findings.insert(findings.end(), more.begin(), more.end());
  }
  std::cout << (s.format == "json" ? format_findings_json(findings)
                                   : format_findings_text(findings));
  return has_blocking_errors(findings) ? kExitFailure : 0;
}

int verb_plan(CliState& s) {
  RunOptions options = run_options(s);
  add_gates(s, options);
  auto db = open_driver(db_of(s));
  std::cout << format_plan(plan_pending(*db, options), options);
  return 0;
}

int verb_verify(CliState& s) {
  std::vector<MigrationFile> files = load_migration_dir(s.dir);
  std::vector<AppliedMigration> history = applied(db_of(s));
  std::vector<Drift> drift = find_drift(files, history);
  for (const Drift& d : drift) std::cout << describe(d) << '\n';
  if (drift.empty()) {
    std::cout << fmt::format("no drift: {} applied migration(s) match their files\n",
                             history.size());
    return 0;
  }
  std::cerr << fmt::format("error: {} drift problem(s) found\n", drift.size());
  return kExitFailure;
}

int verb_baseline(CliState& s) {
  auto db = open_driver(db_of(s));
  Runner(*db, run_options(s), std::cout).baseline(s.version);
  return 0;
}

}  // namespace

std::string resolve_db_url(const std::string& db_flag) {
  if (!db_flag.empty()) return db_flag;
  if (const char* env = std::getenv("DATABASE_URL"); env && *env) return env;
  return "sqlite:ficus.db";
}

void add_migrate_command(CLI::App& app, MigrateGates gates) {
  auto state = std::make_shared<CliState>();
  state->gates = std::move(gates);
  CliState& s = *state;
  CLI::App* migrate = app.add_subcommand("migrate", "Zero-downtime database migrations");
  migrate->require_subcommand(1);
  add_location_options(*migrate, s);

  auto verb = [&](const std::string& name, const std::string& help, int (*fn)(CliState&)) {
    CLI::App* cmd = migrate->add_subcommand(name, help);
    add_location_options(*cmd, s);
    cmd->callback([state, fn] {
      run_verb([&] {
        apply_config(*state);
        return fn(*state);
      });
    });
    return cmd;
  };

  CLI::App* create = verb("new", "Create migrations/<utc-version>_NAME.sql", verb_new);
  create->add_option("NAME", s.name, "Name: lowercase letters, digits, underscores")->required();

  CLI::App* up = verb("up", "Apply pending migrations", verb_up);
  add_apply_options(*up, s);
  up->add_option("--to", s.to, "Apply up to and including this version");
  up->add_flag("--allow-unsafe", s.allow_unsafe, "Apply despite error-level lint findings");
  up->add_flag("--allow-drift", s.allow_drift,
               "Apply despite edited, missing or out-of-order migration files");
  up->add_flag("--retry-failed", s.retry_failed,
               "Run a failed no-transaction migration again from its first statement");
  up->add_flag("--json", s.json,
               "Print progress as JSON events, one per line, on stdout (other output: stderr)");
  up->add_flag("--allow-unplanned-contract", s.allow_unplanned_contract,
               "Apply a `-- ficus:phase contract` migration that no cutover plan lists, from a "
               "folder the plans draw on (docs/cutover.md)");
  up->add_option("--backup", s.backup_dir,
                 "Back the database up into DIR before the first pending migration (pg_dump -Fc "
                 "or SQLite's backup API; default: migrate.backup_dir of the config)");

  verb("backups", "List the backups taken by up --backup", verb_backups);
  CLI::App* rehearse = verb("rehearse",
                            "Apply every pending migration up, down and up again on a scratch "
                            "copy and report time, locks, rows, lint and reversibility",
                            verb_rehearse);
  add_apply_options(*rehearse, s);
  rehearse->add_option("--to", s.to, "Rehearse up to and including this version");
  rehearse->add_flag("--keep", s.keep, "Leave the scratch copy for inspection");
  CLI::App* restore =
      verb("restore", "Replace the database with a backup (default: the newest)", verb_restore);
  restore->add_option("--from", s.from, "Backup file to restore");
  restore->add_flag("--yes", s.yes, "Really replace the database");

  CLI::App* down = verb("down", "Roll back applied migrations (newest first)", verb_down);
  add_apply_options(*down, s);
  auto* steps =
      down->add_option("--steps", s.steps, "How many to roll back")->capture_default_str();
  down->add_option("--to", s.to, "Roll back every migration newer than this version")
      ->excludes(steps);

  CLI::App* status = verb("status", "List migrations and whether each is applied", verb_status);
  status->add_flag("--exit-code", s.exit_code, "Exit 1 when migrations are pending");

  CLI::App* lint = verb("lint", "Check migrations for statements that take an outage", verb_lint);
  lint->add_option("FILES", s.files, "Files to lint (default: every migration in --dir)");
  lint->add_option("--format", s.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  lint->add_option("--dialect", s.dialect,
                   "postgres or sqlite (default: from --db/DATABASE_URL, else postgres)")
      ->check(CLI::IsMember({"postgres", "sqlite"}));
  lint->add_option("--lock-timeout", s.lock_timeout, "lock_timeout the runner will set");

  CLI::App* plan =
      verb("plan", "Dry run: pending migrations, their locks and lint findings", verb_plan);
  add_apply_options(*plan, s);
  plan->add_option("--to", s.to, "Plan up to and including this version");
  plan->add_flag("--allow-unsafe", s.allow_unsafe, "Plan as if --allow-unsafe were given to up");
  plan->add_flag("--allow-unplanned-contract", s.allow_unplanned_contract,
                 "Plan as if --allow-unplanned-contract were given to up");

  verb("verify", "Report drift: edited, missing or out-of-order migration files", verb_verify);

  CLI::App* baseline =
      verb("baseline", "Record every migration up to VERSION as applied without running it",
           verb_baseline);
  baseline->add_option("VERSION", s.version, "Version of the newest migration already applied")
      ->required();
}

}  // namespace ficus::migrations
