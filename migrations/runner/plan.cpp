#include "migrations/runner/plan.h"

#include <set>

#include <fmt/format.h>

#include "migrations/lint/linter.h"
#include "migrations/runner/history.h"
#include "migrations/runner/migration_dir.h"
#include "migrations/runner/statements.h"

namespace ficus::migrations {
namespace {

std::string duration(std::int64_t ms) {
  return ms == 0 ? "none" : fmt::format("{} ms", ms);
}

}  // namespace

std::vector<PlannedMigration> plan_pending(MigrationDriver& db, const RunOptions& options) {
  std::vector<MigrationFile> files = load_migration_dir(options.dir);
  History history(db);
  std::set<std::string> applied_versions;
  if (history.exists())
    for (const AppliedMigration& a : history.applied()) applied_versions.insert(a.version);
  std::vector<PlannedMigration> out;
  for (MigrationFile& f : files) {
    if (applied_versions.contains(f.version)) continue;
    if (options.to_version && f.version > *options.to_version) continue;
    PlannedMigration p;
    p.lock_timeout_ms = f.lock_timeout_ms.value_or(options.lock_timeout_ms);
    p.statement_timeout_ms = f.statement_timeout_ms.value_or(options.statement_timeout_ms);
    p.findings = lint_migration(f, {db.dialect(), p.lock_timeout_ms});
    bool parses = std::none_of(p.findings.begin(), p.findings.end(),
                               [](const Finding& x) { return x.rule == kParseErrorId; });
    if (parses) p.statements = statement_locks(f, db.dialect());
    if (options.gate) {
      GateDecision decision = options.gate({f.version, f.name, f.phase});
      if (!decision.allowed) p.gate_refusal = decision.refusal;
    }
    p.file = std::move(f);
    out.push_back(std::move(p));
  }
  return out;
}

std::string format_plan(const std::vector<PlannedMigration>& plan, const RunOptions& options) {
  if (plan.empty()) return "nothing to apply: the database is up to date\n";
  std::string out;
  int blocked = 0;
  for (const PlannedMigration& p : plan) {
    const MigrationFile& f = p.file;
    std::string phase =
        f.phase == Phase::kNone ? "" : fmt::format(" [phase {}]", phase_name(f.phase));
    out += fmt::format("{}_{}{}  ({})\n", f.version, f.name, phase, f.path);
    if (!f.batches.empty()) {
      out += "  transaction: none; each backfill batch commits in its own transaction\n";
    } else if (f.transaction) {
      out += "  transaction: yes, the whole migration commits or rolls back as one\n";
    } else {
      out +=
          "  transaction: NO (-- ficus:no-transaction): a failure midway leaves earlier "
          "statements applied\n";
    }
    out += fmt::format("  lock_timeout: {}, statement_timeout: {}, retries on lock timeout: {}\n",
                       duration(p.lock_timeout_ms), duration(p.statement_timeout_ms),
                       options.lock_retries);
    std::size_t previous_line = 0;
    for (const StatementLock& s : p.statements) {
      out += fmt::format("  {}:{}  {}\n", f.path, s.line, statement_summary(s.text, 100));
      if (!s.lock.empty()) out += fmt::format("      lock: {}: {}\n", s.lock, s.impact);
      // A batch directive marks the first statement after it.
      for (const BatchDirective& b : f.batches) {
        if (b.line > previous_line && b.line < s.line)
          out += fmt::format(
              "      batched: key={} size={} sleep_ms={}, one transaction per "
              "batch, resumable\n",
              b.key, b.size, b.sleep_ms);
      }
      previous_line = s.line;
    }
    bool unsafe = false;
    for (const Finding& finding : p.findings) {
      std::string severity =
          finding.allowed() ? "allowed" : std::string(severity_name(finding.severity));
      out += fmt::format("  lint {}:{}: {} [{}] {}\n", finding.file, finding.line, severity,
                         finding.rule, finding.message);
      if (!finding.fix.empty()) out += fmt::format("      safe alternative: {}\n", finding.fix);
      unsafe = unsafe || (finding.severity == Severity::kError && !finding.allowed());
    }
    if (unsafe && !options.allow_unsafe) {
      out +=
          "  => `up` would refuse this migration (error-level lint findings; --allow-unsafe "
          "overrides)\n";
      ++blocked;
    }
    if (p.gate_refusal) {
      out += fmt::format("  => `up` would refuse this migration: {}\n", *p.gate_refusal);
      ++blocked;
    }
  }
  out += fmt::format("{} pending migration(s); {} would be refused\n", plan.size(), blocked);
  return out;
}

}  // namespace ficus::migrations
