// MigrationGate: the cutover plans' rules on `ficus migrate`, asked before `up` (and `plan`)
// applies and before `down` rolls back (the ApplyGate hooks of migrations/runner/runner.h).
//
//   up of a contract migration   refused while any route whose plan lists it under "contract"
//                                sends less than 100 % to new, or has been at 100 % for less than
//                                its soak_before_contract_s; the refusal names the route and the
//                                time left. When the proxy cannot be asked, refused too.
//   down of an expand migration  refused while any route whose plan lists it under "expand" sends
//                                any traffic to new (or when the proxy cannot be asked).
//   `-- ficus:phase contract` file that no plan lists: refused when the plans draw on the folder
//                                being migrated (their migrations_dir), since a forgotten entry is
//                                the likely cause, unless --allow-unplanned-contract; applied with
//                                a note otherwise.
//   no config (no --config, no $FICUS_CONFIG): no plan is known, so everything is allowed; each
//                                contract (up) or expand (down) migration gets a note saying no
//                                plan was checked.
//
// The plans come from the config file the proxy runs; each route's state from the proxy's admin
// API (live_status.h), asked only when a listed migration is about to run.
//
//   migrations::add_migrate_command(app, cutover::make_migrate_gates());
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <set>
#include <string>

#include "cutover/live_status.h"
#include "migrations/cli.h"

namespace ficus::cutover {

// A route's live cutover status; the real source is LiveStatusReader::fetch.
using LiveStatusSource = std::function<LiveStatusResult(const std::string& route)>;

class MigrationGate {
 public:
  // `planned` nullopt: no config was given. `live_address` names the proxy in messages.
  MigrationGate(std::optional<PlannedConfig> planned, migrations::GateContext context,
                LiveStatusSource live, std::string live_address, std::ostream& notes);

  migrations::GateDecision before_apply(const migrations::MigrationInfo& migration);
  migrations::GateDecision before_revert(const migrations::MigrationInfo& migration);

 private:
  struct Listing {
    std::string route;
    const config::CutoverPlan* plan;
  };
  std::vector<Listing> routes_listing(const std::string& id, bool in_contract) const;
  std::vector<std::string> routes_drawing_on_dir() const;
  std::string unknown_state(const std::string& route, const std::string& error) const;
  void note_once(const std::string& id, const std::string& text);

  std::optional<PlannedConfig> planned_;
  migrations::GateContext context_;
  LiveStatusSource live_;
  std::string live_address_;
  std::ostream& notes_;
  std::set<std::string> noted_;
};

// "3s", "4m 5s", "2h 7m", "1d 3h": a duration for messages, rounded up to the second.
std::string format_duration(double seconds);

// The gates `ficus migrate` runs with: each verb reads the plans from its config (throwing
// MigrationError when the config is invalid) and asks the proxy it runs.
migrations::MigrateGates make_migrate_gates(std::ostream& notes);

}  // namespace ficus::cutover
