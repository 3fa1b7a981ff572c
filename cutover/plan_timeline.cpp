#include "cutover/plan_timeline.h"

#include <map>

#include <fmt/format.h>

#include "cutover/migration_gate.h"
#include "migrations/lint/linter.h"
#include "migrations/lint/statement_locks.h"
#include "migrations/runner/driver.h"
#include "migrations/runner/migration_dir.h"
#include "migrations/runner/migration_error.h"

namespace ficus::cutover {
namespace {

using migrations::MigrationFile;

std::string lint_verdict(const std::vector<migrations::Finding>& findings) {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const migrations::Finding& f : findings) {
    if (f.rule == migrations::kParseErrorId) return "does not parse: " + f.message;
    if (f.allowed()) continue;
    (f.severity == migrations::Severity::kError ? errors : warnings) += 1;
  }
  if (errors == 0 && warnings == 0) return "lint ok";
  std::vector<std::string> parts;
  if (errors > 0)
    parts.push_back(fmt::format("{} error{} (blocks up)", errors, errors == 1 ? "" : "s"));
  if (warnings > 0)
    parts.push_back(fmt::format("{} warning{}", warnings, warnings == 1 ? "" : "s"));
  return fmt::format("lint: {}", fmt::join(parts, ", "));
}

TimelineMigration describe_migration(const std::string& id,
                                     const std::map<std::string, const MigrationFile*>& files,
                                     const std::map<std::string, std::string>& applied_at,
                                     migrations::Dialect dialect) {
  TimelineMigration out;
  out.id = id;
  if (auto it = applied_at.find(id); it != applied_at.end()) out.applied_at = it->second;
  auto file = files.find(id);
  if (file == files.end()) return out;
  out.found = true;
  out.phase_marker = std::string(migrations::phase_name(file->second->phase));
  out.lint = lint_verdict(migrations::lint_migration(*file->second, {dialect, 5000}));
  try {
    for (const migrations::StatementLock& lock :
         migrations::statement_locks(*file->second, dialect)) {
      if (lock.lock.empty()) continue;
      out.locks.push_back(lock.impact.empty()
                              ? fmt::format("line {}: {}", lock.line, lock.lock)
                              : fmt::format("line {}: {}: {}", lock.line, lock.lock, lock.impact));
    }
  } catch (const migrations::MigrationError&) {
    // The lint verdict already says it does not parse.
  }
  return out;
}

std::string percent_list(const std::vector<double>& steps) {
  std::vector<std::string> parts;
  for (double s : steps) parts.push_back(fmt::format("{:g} %", s));
  return fmt::format("{}", fmt::join(parts, " -> "));
}

void render_migrations(std::string& out, const std::vector<TimelineMigration>& migrations,
                       std::string_view expected_phase) {
  if (migrations.empty()) out += "  (none)\n";
  for (const TimelineMigration& m : migrations) {
    std::string state = m.applied_at ? "applied " + *m.applied_at : "not applied";
    out += fmt::format("  {}  [{}]\n", m.id, state);
    if (!m.found) {
      out += "      file not found in migrations_dir\n";
      continue;
    }
    std::string marker = m.phase_marker.empty() ? std::string("no -- ficus:phase marker")
                                                : "-- ficus:phase " + m.phase_marker;
    if (!m.phase_marker.empty() && m.phase_marker != expected_phase &&
        !(expected_phase == "expand" && m.phase_marker == "backfill")) {
      marker += fmt::format(" (listed under {})", expected_phase);
    }
    out += fmt::format("      {}; {}\n", m.lint, marker);
    for (const std::string& lock : m.locks) out += fmt::format("      lock {}\n", lock);
  }
}

}  // namespace

PlanTimeline build_timeline(const std::string& route, const config::CutoverPlan& plan,
                            const std::optional<std::vector<migrations::AppliedMigration>>& applied,
                            const std::string& history_error, LiveStatusResult live) {
  PlanTimeline t;
  t.route = route;
  t.plan = plan;
  t.history_error = history_error;
  t.live = std::move(live);
  std::vector<MigrationFile> files;
  try {
    files = migrations::load_migration_dir(plan.migrations_dir);
  } catch (const migrations::MigrationError& e) {
    t.files_error = e.what();
  }
  std::map<std::string, const MigrationFile*> by_id;
  for (const MigrationFile& f : files) by_id[f.version + "_" + f.name] = &f;
  std::map<std::string, std::string> applied_at;
  if (applied) {
    for (const auto& a : *applied) applied_at[a.version + "_" + a.name] = a.applied_at;
  }
  const migrations::Dialect dialect = plan.database.starts_with("sqlite:")
                                          ? migrations::Dialect::kSqlite
                                          : migrations::Dialect::kPostgres;
  for (const std::string& id : plan.expand)
    t.expand.push_back(describe_migration(id, by_id, applied_at, dialect));
  for (const std::string& id : plan.contract)
    t.contract.push_back(describe_migration(id, by_id, applied_at, dialect));
  return t;
}

std::string render_timeline(const PlanTimeline& t) {
  const config::CutoverPlan& plan = t.plan;
  std::string out = fmt::format("cutover plan for route \"{}\"\n", t.route);
  out += fmt::format("database {}\nmigrations {}\n", plan.database, plan.migrations_dir);
  if (!t.files_error.empty())
    out += fmt::format("  (cannot read the migration files: {})\n", t.files_error);
  if (!t.history_error.empty())
    out += fmt::format("  (cannot read the migration history: {})\n", t.history_error);

  out += "\n1. expand: applied before any traffic goes to new\n";
  render_migrations(out, t.expand, "expand");

  out += fmt::format("\n2. ramp: {}, each step held {} then judged\n", percent_list(plan.steps),
                     format_duration(static_cast<double>(plan.step_interval.count())));
  out += fmt::format(
      "   gates: at least {} requests on old and on new; new error rate at most {:g} percentage "
      "points above "
      "old; new p99 at most {:g} x old\n",
      plan.gates.min_requests, plan.gates.max_error_rate_delta * 100, plan.gates.max_p99_ratio);
  out += fmt::format("   too little traffic: hold; pause after {} interval(s)\n",
                     plan.max_insufficient_intervals);
  if (plan.on_failure == config::CutoverPlan::OnFailure::pause) {
    out += "   on a failed gate: pause (a breach still rolls back)\n";
  } else if (plan.rollback_steps.empty()) {
    out += "   on a failed gate: roll back to 0 %\n";
  } else {
    out += fmt::format("   on a failed gate: roll back {}\n", percent_list(plan.rollback_steps));
  }

  out += fmt::format("\n3. soak: {} at 100 % before any contract migration\n",
                     format_duration(static_cast<double>(plan.soak_before_contract.count())));

  out += "\n4. contract: applied after the soak; then old can no longer take traffic\n";
  render_migrations(out, t.contract, "contract");

  out += "\nnow:\n";
  std::size_t expand_applied = 0;
  for (const auto& m : t.expand) expand_applied += m.applied_at ? 1 : 0;
  std::size_t contract_applied = 0;
  for (const auto& m : t.contract) contract_applied += m.applied_at ? 1 : 0;
  if (t.history_error.empty()) {
    out += fmt::format("  expand {}/{} applied, contract {}/{} applied\n", expand_applied,
                       t.expand.size(), contract_applied, t.contract.size());
  } else {
    out += "  migration history unknown (see above)\n";
  }
  if (!t.live.status) {
    out += fmt::format("  live state unknown: {}\n", t.live.error);
    return out;
  }
  const LiveCutoverStatus& s = *t.live.status;
  std::string step = s.step_index && !s.steps.empty()
                         ? fmt::format(", step {} of {}", *s.step_index + 1, s.steps.size())
                         : "";
  out +=
      fmt::format("  state {}{}, {:g} % of traffic on new{}, {} in this step\n", s.state, step,
                  s.share_percent, s.killed ? " (killed)" : "", format_duration(s.time_in_step_s));
  if (!s.paused_reason.empty()) out += fmt::format("  paused: {}\n", s.paused_reason);
  if (s.last_gates.is_object()) {
    out += fmt::format("  last gates: {}", s.last_gates.value("verdict", "?"));
    if (auto checks = s.last_gates.find("checks");
        checks != s.last_gates.end() && checks->is_array()) {
      for (const auto& c : *checks) {
        std::string value = c.contains("value") && c["value"].is_number()
                                ? fmt::format("{:g}", c["value"].get<double>())
                                : std::string("n/a");
        out += fmt::format("; {} {} (limit {:g})", c.value("gate", "?"),
                           c.value("pass", false) ? "pass" : "FAIL", c.value("limit", 0.0));
        out += " value " + value;
      }
    }
    out += "\n";
  }
  if (s.full_for_s) {
    const double soak = static_cast<double>(plan.soak_before_contract.count());
    out += *s.full_for_s >= soak
               ? fmt::format("  at 100 % for {}: soak over, contract migrations may run\n",
                             format_duration(*s.full_for_s))
               : fmt::format("  at 100 % for {}: {} of soak left\n",
                             format_duration(std::floor(*s.full_for_s)),
                             format_duration(soak - *s.full_for_s));
  }
  return out;
}

}  // namespace ficus::cutover
