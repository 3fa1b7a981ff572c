// The configuration schema: reads a parsed JSON document into a ProxyConfig, reporting every
// violation with its JSON path. Internal to the config library; callers use config_loader.h.
//
// The schema of each key is documented beside its field in proxy_config.h and, for users, in
// docs/configuration.md. config_schema.cpp reads the top-level sections, route_schema.cpp the
// "routes" array (which needs what the other sections declared, see RouteContext).
//
//   ErrorList errors{"ficus.json"};
//   ProxyConfig config = read_proxy_config(document, "/etc/ficus", errors);
//   if (!errors.empty()) ...  // `config` is partial and must not be used
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/json_reader.h"
#include "config/proxy_config.h"

namespace ficus::config {

// Longest duration accepted anywhere: a day. Anything longer is almost surely a unit mistake
// (seconds or microseconds written where milliseconds are meant).
inline constexpr std::uint64_t kMaxMillis = 86'400'000;

// `base_dir` is the config file's folder; relative paths in the file are resolved against it.
ProxyConfig read_proxy_config(const nlohmann::json& document, const std::filesystem::path& base_dir,
                              ErrorList& errors);

// What the routes refer to, read from the other sections first.
struct RouteContext {
  std::vector<std::string> upstream_names;  // sorted; includes upstreams that had errors
  bool has_flag_sources = false;
  std::filesystem::path base_dir;  // the config file's folder (cutover database and migrations)
};

// Reads a route's "cutover" object at `path` (cutover_schema.cpp); nullopt when it is not an
// object. The checks that need the rest of the route ("new", "flag") are read_routes' job.
std::optional<CutoverPlan> read_cutover_plan(const nlohmann::json& value, const std::string& path,
                                             const std::filesystem::path& base_dir,
                                             ErrorList& errors);

// Reads the "routes" array at `path`, including the checks across routes (unique names, no two
// routes with the same host and path_prefix, references to known upstreams).
std::vector<RouteConfig> read_routes(const nlohmann::json& routes, const std::string& path,
                                     const RouteContext& context, ErrorList& errors);

}  // namespace ficus::config
