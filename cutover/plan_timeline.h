// PlanTimeline: `ficus cutover plan ROUTE` as data, then as text. One timeline per route: the
// expand migrations (each with its lint verdict and the lock it takes), the ramp steps with their
// interval and gates, the soak, the contract migrations, and where the route stands now: which of
// the plan's migrations are applied (the history table of the plan's database) and the live state
// from the proxy's admin API when it can be reached.
//
//   PlanTimeline t = build_timeline("users", plan, applied_or_error, live_or_error);
//   std::cout << render_timeline(t);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/cutover_plan.h"
#include "cutover/live_status.h"
#include "migrations/runner/history.h"

namespace ficus::cutover {

// One of the plan's migrations, as found in migrations_dir and in the history.
struct TimelineMigration {
  std::string id;
  bool found = false;        // a file with this id is in migrations_dir
  std::string phase_marker;  // its `-- ficus:phase`, "" when none
  std::string lint;          // "ok", "2 warnings", "1 error (blocks up)", "does not parse: ..."
  std::vector<std::string> locks;  // "line 3: ACCESS EXCLUSIVE on users: blocks reads and writes"
  std::optional<std::string> applied_at;  // set when applied
};

struct PlanTimeline {
  std::string route;
  config::CutoverPlan plan;
  std::string files_error;  // migrations_dir could not be read
  std::vector<TimelineMigration> expand;
  std::vector<TimelineMigration> contract;
  std::string history_error;  // the database's history could not be read
  LiveStatusResult live;
};

// The history is given as read (or the reason it could not be); the migration files are read
// from plan.migrations_dir and linted for the plan database's dialect.
PlanTimeline build_timeline(const std::string& route, const config::CutoverPlan& plan,
                            const std::optional<std::vector<migrations::AppliedMigration>>& applied,
                            const std::string& history_error, LiveStatusResult live);

std::string render_timeline(const PlanTimeline& timeline);

}  // namespace ficus::cutover
