// The cutover plans' rules on a route's share of new, enforced on every split, kill and restore
// (admin API, `ficus flags`, and the ramp engine itself, which goes through the same path):
//
//   expand   raising the share above what it is now, to more than 0 %, is refused until every
//            `expand` migration of the route's plan is applied to the plan's database. New code
//            needs the new schema.
//   contract once any `contract` migration of the plan is applied, lowering the share (a split
//            down, a kill, an abort) is refused unless forced: old code would break on the new
//            schema. A forced change goes through and is audited as forced.
//
// Routes without a plan are not checked. When the migration history cannot be read, raising is
// refused (it cannot be shown safe) and lowering is allowed (a rollback must not depend on the
// database being reachable), with a warning in the log.
//
//   control.set_share_guard(make_share_guard(read_applied_migrations));
#pragma once

#include <functional>
#include <set>
#include <string>

#include "config/cutover_plan.h"
#include "proxy/control/control_plane.h"

namespace ficus::cutover {

// The applied migration ids ("<version>_<name>") of a database, or why they cannot be read.
struct AppliedMigrations {
  std::set<std::string> ids;
  std::string error;  // non-empty: the history could not be read
};

using MigrationHistoryReader = std::function<AppliedMigrations(const std::string& database_url)>;

// The real reader: ficus::migrations::applied(url).
AppliedMigrations read_applied_migrations(const std::string& database_url);

// The verdict on one change of a route's share under `plan`, given what is applied.
proxy::control::ShareGuardVerdict judge_share_move(const std::string& route,
                                                   const config::CutoverPlan& plan,
                                                   double from_percent, double to_percent,
                                                   bool force, const AppliedMigrations& applied);

// The plan's expand migrations that are not applied (in plan order).
std::vector<std::string> missing_expand(const config::CutoverPlan& plan,
                                        const AppliedMigrations& applied);
// The plan's contract migrations that are applied (in plan order).
std::vector<std::string> applied_contract(const config::CutoverPlan& plan,
                                          const AppliedMigrations& applied);

// The guard for ControlPlane::set_share_guard: looks up each route's plan and reads the history
// only when the change needs it.
proxy::control::ShareGuard make_share_guard(MigrationHistoryReader reader);

}  // namespace ficus::cutover
