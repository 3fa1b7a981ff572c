// `ficus cutover plan ROUTE [--config FILE]`: prints the route's cutover timeline
// (plan_timeline.h): expand migrations with their lint verdict and locks, the ramp and its gates,
// the soak, the contract migrations, and where the route stands now.
//
// The plan comes from --config (else $FICUS_CONFIG), the applied migrations from the history table
// of the plan's database, the live state from the proxy's admin API (admin.listen of the config,
// or migrate.proxy_admin); each that cannot be read is reported in the output, not fatal.
//
//   CLI::App* cutover = app.add_subcommand("cutover", "...");
//   ficus::cutover::add_cutover_plan_command(*cutover);
#pragma once

namespace CLI {
class App;
}

namespace ficus::cutover {

void add_cutover_plan_command(CLI::App& cutover);

}  // namespace ficus::cutover
