// Reading a route's cutover state from the running proxy (GET /admin/cutovers/{route}), for the
// commands that run outside it: `ficus migrate` (migration_gate.h) and `ficus cutover plan`.
//
// The proxy is found from the same config file it runs: the admin API at admin.listen (a
// wildcard address is reached on loopback) unless migrate.proxy_admin names another HOST:PORT,
// with the bearer token from the environment variable admin.token_env names.
//
//   PlannedConfig planned = load_planned_config("ficus.json");
//   LiveStatusReader live(admin_options_for(planned, std::nullopt));
//   LiveStatusResult orders = live.fetch("orders");
//   if (!orders.status) std::cerr << orders.error << "\n";  // what is wrong and what to do
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/proxy_config.h"
#include "proxy/control/admin_client.h"

namespace ficus::cutover {

// A config file read for its cutover plans. The admin token's environment variable may be unset
// (the config is still read; asking the proxy then goes without a token and says what to set).
struct PlannedConfig {
  std::string path;  // as given
  std::shared_ptr<const config::ProxyConfig> config;
  std::string token_env;  // admin.token_env ("" when none)
};

// Reads `path` with the proxy's own loader. Throws std::runtime_error listing every config error.
PlannedConfig load_planned_config(const std::string& path);

// The admin client options for the proxy that runs `planned`: `proxy_admin` when given, else
// admin.listen; the token from admin.token_env's variable.
proxy::control::AdminClientOptions admin_options_for(const PlannedConfig& planned,
                                                     const std::optional<std::string>& proxy_admin);

// The fields of GET /admin/cutovers/{route} that the commands use.
struct LiveCutoverStatus {
  std::string route;
  std::string state;  // pending|progressing|paused|failed|complete|none
  std::optional<std::size_t> step_index;
  std::vector<double> steps;
  double share_percent = 0;
  bool killed = false;
  double time_in_step_s = 0;
  std::optional<std::string> full_since;  // set only while the share is 100
  std::optional<double> full_for_s;
  std::string paused_reason;
  nlohmann::json last_gates;  // null before the first judgement
  bool contract_applied = false;
};

LiveCutoverStatus parse_live_status(const nlohmann::json& status);

// The status, or why it is not known (a sentence naming the address and what to do).
struct LiveStatusResult {
  std::optional<LiveCutoverStatus> status;
  std::string error;
};

// Asks once per route and remembers the answer (one command run sees one consistent view).
class LiveStatusReader {
 public:
  // `token_env` only phrases the hint when the proxy wants a token it was not given.
  LiveStatusReader(proxy::control::AdminClientOptions options, std::string token_env = {});
  LiveStatusResult fetch(const std::string& route);
  const std::string& address() const { return options_.address; }

 private:
  proxy::control::AdminClientOptions options_;
  std::string token_env_;
  std::map<std::string, LiveStatusResult> cache_;
};

}  // namespace ficus::cutover
