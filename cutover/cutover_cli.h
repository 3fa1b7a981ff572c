// `ficus cutover`: the cutover engine of a running proxy, through its admin API.
//
//   ficus cutover status [ROUTE] [--json]        GET /admin/cutovers[/ROUTE]
//   ficus cutover start ROUTE [--reason R] [--force]
//   ficus cutover pause ROUTE [--reason R]
//   ficus cutover resume ROUTE [--reason R]
//   ficus cutover promote ROUTE [--full] [--reason R]
//   ficus cutover abort ROUTE [--reason R] [--force]
//                                                POST /admin/cutovers/ROUTE/ACTION
//
// Each takes the same --admin / --token / --actor options (and $FICUS_ADMIN, $FICUS_ADMIN_TOKEN,
// $FICUS_ACTOR defaults) as `ficus flags`, and --json to print the API's answer as it is. A
// refusal prints the server's reason and exits 1.
//
//   CLI::App* cutover = ficus::cutover::add_cutover_commands(app);
//   ficus::cutover::add_cutover_plan_command(*cutover);
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace CLI {
class App;
}

namespace ficus::cutover {

// Adds `cutover` with its verbs to `app` and returns it, for more verbs to be added.
CLI::App* add_cutover_commands(CLI::App& app);

// What `status` prints, from the admin API's answers (exposed for tests).
std::string render_cutover_status(const nlohmann::json& status);
std::string render_cutovers_table(const nlohmann::json& list);

}  // namespace ficus::cutover
