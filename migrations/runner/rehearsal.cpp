#include "migrations/runner/rehearsal.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "migrations/lint/linter.h"
#include "migrations/runner/history.h"
#include "migrations/runner/migration_dir.h"
#include "migrations/runner/statements.h"
#include "migrations/runner/tool.h"

namespace ficus::migrations {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::int64_t ms_since(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

std::string quote_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Counts rows and samples locks during the first `up` of each migration.
class Meter : public RunObserver {
 public:
  explicit Meter(LockSampler* sampler) : sampler_(sampler) {}
  void measure(bool on) {
    measuring_ = on;
    rows_ = 0;
    if (sampler_) sampler_->reset();
  }
  std::int64_t rows() const { return rows_; }

  void migration_started(const MigrationFile&, Direction) override {
    if (measuring_ && sampler_) sampler_->start();
  }
  void statement_finished(const MigrationFile&, const Statement&, std::int64_t rows,
                          std::int64_t) override {
    if (!measuring_) return;
    rows_ += rows;
    // The transaction still holds what the statement locked; a sample now sees even short locks.
    if (sampler_) sampler_->sample_now();
  }
  void migration_finished(const MigrationFile&, Direction, std::int64_t,
                          const std::string&) override {
    if (measuring_ && sampler_) sampler_->stop();
  }

 private:
  LockSampler* sampler_;
  bool measuring_ = false;
  std::int64_t rows_ = 0;
};

std::vector<std::string> schema_diff(const std::vector<std::string>& before,
                                     const std::vector<std::string>& after) {
  std::multiset<std::string> a(before.begin(), before.end());
  std::multiset<std::string> b(after.begin(), after.end());
  std::vector<std::string> out;
  for (const std::string& line : before)
    if (!b.contains(line)) out.push_back("- " + line);
  for (const std::string& line : after)
    if (!a.contains(line)) out.push_back("+ " + line);
  if (out.empty() && before != after) out.push_back("~ same lines, different order");
  return out;
}

struct ScratchCopy {
  std::string url;
  std::string method;
  std::string admin_url;  // PostgreSQL: where to DROP DATABASE from
  std::string name;       // PostgreSQL database name / SQLite file
};

ScratchCopy make_pg_copy(const std::string& db_url, const RehearseOptions& options,
                         std::string& target_name) {
  std::string newest_applied;
  std::vector<BackupRecord> backups;
  {
    auto target = open_driver(db_url);
    target_name = target->query("SELECT current_database()").at(0).at(0).value_or("");
    History history(*target);
    if (history.exists()) {
      auto done = history.applied();
      if (!done.empty()) newest_applied = done.back().version;
    }
    backups = list_backups(*target);
  }  // closed: our own session on the target would make TEMPLATE fail
  ScratchCopy copy;
  copy.name = fmt::format("ficus_rehearse_{}_{}", getpid(),
                          std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                                  .count() %
                              1'000'000'000);
  copy.admin_url = with_database(db_url, "postgres");
  copy.url = with_database(db_url, copy.name);
  auto admin = open_driver(copy.admin_url);
  try {
    admin->execute(fmt::format("CREATE DATABASE {} TEMPLATE {}", quote_ident(copy.name),
                               quote_ident(target_name)));
    copy.method = fmt::format("CREATE DATABASE ... TEMPLATE {}", target_name);
    return copy;
  } catch (const DbError& e) {
    if (e.sqlstate() != "55006") throw;  // object_in_use: other sessions on the target
  }
  admin->execute(fmt::format("CREATE DATABASE {} TEMPLATE template0", quote_ident(copy.name)));
  try {
    const BackupRecord* latest = backups.empty() ? nullptr : &backups.back();
    if (latest && latest->db_version == newest_applied && fs::exists(latest->file) &&
        sha256_of_file(latest->file) == latest->sha256) {
      restore_into_empty(copy.url, latest->file, options.tools);
      copy.method = fmt::format(
          "the target is in use, so TEMPLATE is impossible; restored the latest backup {}",
          latest->file);
    } else {
      std::string dump = fmt::format("{}/{}.dump", fs::temp_directory_path().string(), copy.name);
      run_tool_or_throw({options.tools.pg_dump, "-Fc", "-f", dump, "--dbname", db_url},
                        "pg_dump of the target");
      restore_into_empty(copy.url, dump, options.tools);
      fs::remove(dump);
      copy.method =
          "the target is in use, so TEMPLATE is impossible, and no backup matches its current "
          "version; restored a fresh pg_dump";
    }
  } catch (...) {
    admin->execute(fmt::format("DROP DATABASE IF EXISTS {}", quote_ident(copy.name)));
    throw;
  }
  return copy;
}

void drop_copy(const ScratchCopy& copy, bool postgres) {
  if (postgres) {
    open_driver(copy.admin_url)
        ->execute(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(copy.name)));
  } else {
    std::error_code ec;
    fs::remove(copy.name, ec);
  }
}

}  // namespace

std::string with_database(const std::string& url, const std::string& database) {
  std::size_t scheme = url.find("://");
  std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  std::size_t slash = url.find('/', start);
  std::size_t query = url.find('?', start);
  if (slash == std::string::npos || (query != std::string::npos && slash > query)) {
    std::size_t at = query == std::string::npos ? url.size() : query;
    return url.substr(0, at) + "/" + database + url.substr(at);
  }
  std::size_t end = query == std::string::npos ? url.size() : query;
  return url.substr(0, slash + 1) + database + url.substr(end);
}

std::vector<std::string> normalized_schema(const std::string& db_url, const BackupTools& tools) {
  std::vector<std::string> lines;
  if (dialect_of_url(db_url) == Dialect::kSqlite) {
    for (const Row& r : open_driver(db_url)->query(
             "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master WHERE name NOT "
             "LIKE 'sqlite\\_%' ESCAPE '\\' AND tbl_name NOT LIKE 'ficus\\_%' ESCAPE '\\' ORDER BY "
             "type, name"))
      lines.push_back(fmt::format("{} {} on {}: {}", r[0].value_or(""), r[1].value_or(""),
                                  r[2].value_or(""), r[3].value_or("")));
    return lines;
  }
  std::string file = fmt::format("{}/ficus-schema-{}-{}.sql", fs::temp_directory_path().string(),
                                 getpid(), Clock::now().time_since_epoch().count());
  run_tool_or_throw({tools.pg_dump, "--schema-only", "--no-owner", "--no-privileges", "-T",
                     "ficus_*", "-f", file, "--dbname", db_url},
                    "pg_dump --schema-only");
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    // Comments, session settings and pg_dump's per-run \restrict key are not schema.
    if (line.empty() || line.starts_with("--") || line.starts_with("SET ") ||
        line.starts_with("SELECT pg_catalog.set_config") || line.starts_with("\\restrict") ||
        line.starts_with("\\unrestrict"))
      continue;
    lines.push_back(line);
  }
  std::error_code ec;
  fs::remove(file, ec);
  return lines;
}

bool RehearsalReport::ok() const {
  return std::all_of(migrations.begin(), migrations.end(),
                     [](const RehearsedMigration& m) { return m.ok(); });
}

RehearsalReport rehearse(const std::string& db_url, const RehearseOptions& options) {
  RehearsalReport report;
  report.postgres = dialect_of_url(db_url) == Dialect::kPostgres;
  std::vector<MigrationFile> files = load_migration_dir(options.run.dir);
  ScratchCopy copy;
  if (report.postgres) {
    copy = make_pg_copy(db_url, options, report.target);
  } else {
    std::string path = sqlite_path_of_url(db_url);
    report.target = path;
    copy.name = fmt::format("{}.rehearse-{}", path, getpid());
    std::error_code ec;
    fs::remove(copy.name, ec);
    // A target that does not exist yet is rehearsed from an empty database (and not created).
    if (fs::exists(path)) sqlite_copy(path, copy.name);
    copy.url = "sqlite:" + copy.name;
    copy.method = "a copy of the file (SQLite online backup API)";
  }
  report.copy = copy.url;
  report.method = copy.method;
  report.kept = options.keep;

  try {
    auto db = open_driver(copy.url);
    std::unique_ptr<LockSampler> sampler;
    if (report.postgres)
      sampler = std::make_unique<LockSampler>(
          copy.url, db->query("SELECT pg_backend_pid()").at(0).at(0).value_or(""));
    Meter meter(sampler.get());
    RunOptions run = options.run;
    run.observer = &meter;
    std::ostringstream quiet;  // the per-migration report replaces the runner's own lines
    Runner runner(*db, run, quiet);
    runner.ensure_history();
    std::set<std::string> done;
    for (const AppliedMigration& a : History(*db).applied()) done.insert(a.version);

    for (const MigrationFile& f : files) {
      if (done.contains(f.version)) continue;
      if (run.to_version && f.version > *run.to_version) continue;
      RehearsedMigration& m = report.migrations.emplace_back();
      m.version = f.version;
      m.name = f.name;
      m.findings = lint_migration(
          f, {db->dialect(), f.lock_timeout_ms.value_or(options.run.lock_timeout_ms)});
      m.has_down = f.down.present &&
                   skip_space_and_comments(f.down.sql, 0, f.down.sql.size()) < f.down.sql.size();
      std::vector<std::string> before = normalized_schema(copy.url, options.tools);
      auto step = [&](const char* what, std::int64_t& ms, const std::function<void()>& fn) {
        auto started = Clock::now();
        try {
          fn();
        } catch (const MigrationError& e) {
          m.error = fmt::format("{} failed: {}", what, e.what());
        }
        ms = ms_since(started);
        return m.error.empty();
      };
      meter.measure(true);
      bool up_ok = step("up", m.up_ms, [&] { runner.apply(f); });
      m.rows = meter.rows();
      if (sampler) m.locks = sampler->held();
      meter.measure(false);
      if (!up_ok) break;  // later migrations build on this one
      if (!m.has_down) continue;
      if (!step("down", m.down_ms, [&] { runner.revert(f); })) break;
      m.schema_diff = schema_diff(before, normalized_schema(copy.url, options.tools));
      m.reversible = m.schema_diff.empty();
      if (!step("up again", m.up_again_ms, [&] { runner.apply(f); })) break;
    }
  } catch (...) {
    if (!options.keep) drop_copy(copy, report.postgres);
    throw;
  }
  if (!options.keep) drop_copy(copy, report.postgres);
  return report;
}

std::string format_rehearsal(const RehearsalReport& report) {
  std::string out = fmt::format("rehearsal on a copy of {}: {}\n  copy: {}\n", report.target,
                                report.method, report.copy);
  int problems = 0;
  for (const RehearsedMigration& m : report.migrations) {
    out += fmt::format("{}_{}: {}\n", m.version, m.name, m.ok() ? "ok" : "FAILED");
    std::string times = fmt::format("up {} ms", m.up_ms);
    if (m.down_ms >= 0) times += fmt::format(", down {} ms", m.down_ms);
    if (m.up_again_ms >= 0) times += fmt::format(", up again {} ms", m.up_again_ms);
    out += fmt::format("  time: {}; rows touched: {}\n", times, m.rows);
    if (report.postgres) {
      std::string locks;
      for (const HeldLock& l : m.locks)
        locks += fmt::format("{}{} on {} ~{} ms", locks.empty() ? "" : ", ", l.mode, l.relation,
                             l.held_ms);
      out += fmt::format("  locks: {}\n", locks.empty() ? "none seen" : locks);
    } else {
      out += "  locks: SQLite locks the whole database for writing while a migration runs\n";
    }
    if (m.findings.empty()) {
      out += "  lint: no findings\n";
    } else {
      for (const Finding& f : m.findings)
        out += fmt::format("  lint: {} [{}]{} line {}: {}\n", severity_name(f.severity), f.rule,
                           f.allowed() ? " (allowed)" : "", f.line, f.message);
    }
    if (!m.has_down) {
      out += "  down: none (cannot be rolled back)\n";
    } else if (m.reversible) {
      out += "  down reverses up: yes\n";
    } else if (!m.schema_diff.empty()) {
      out += "  down reverses up: NO, the schema after down differs from before up:\n";
      for (const std::string& line : m.schema_diff) out += "    " + line + "\n";
    }
    if (!m.error.empty()) out += "  " + m.error + "\n";
    if (!m.ok()) ++problems;
  }
  out += fmt::format("{} migration(s) rehearsed, {} with problems; copy {}\n",
                     report.migrations.size(), problems, report.kept ? "kept" : "dropped");
  return out;
}

}  // namespace ficus::migrations
