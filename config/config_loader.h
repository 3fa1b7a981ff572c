// Loading `ficus serve` configuration: JSON file in, validated ProxyConfig (or every error) out.
//
// This is the only way a ProxyConfig is built from a file. It parses JSON with comments, checks the
// whole schema (types, ranges, unknown keys with a "did you mean", references between sections,
// ambiguous routes, an admin API reachable from outside without a token) and reports every
// problem at once, each naming its JSON path and what to do. Relative paths in the file resolve
// against the file's folder and are stored absolute. `admin.token_env` is read at load time.
//
//   auto loaded = ficus::config::load_config_file("/etc/ficus/ficus.json");
//   if (!loaded.ok()) {
//     for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
//     return 1;
//   }
//   auto routes = ficus::config::RouteTable::build(loaded.config);
//   nlohmann::json shown = ficus::config::to_redacted_json(*loaded.config);  // GET /admin/config
#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config_error.h"
#include "config/proxy_config.h"

namespace ficus::config {

// Exactly one of the two is set: a config when the file is valid, errors otherwise.
struct LoadResult {
  std::shared_ptr<const ProxyConfig> config;
  std::vector<ConfigError> errors;
  bool ok() const { return config != nullptr; }
};

// Reads `file` and parses it with parse_config. An unreadable file is one error naming it.
LoadResult load_config_file(const std::filesystem::path& file);

// `file` names the text in errors and anchors relative paths (its folder; made absolute against
// the working directory). It need not exist; when empty, paths resolve against the working
// directory and errors carry no file name.
LoadResult parse_config(std::string_view json_text, const std::filesystem::path& file);

// The effective configuration (every default filled in) in the file's own schema, for
// GET /admin/config. Secrets are replaced by "<redacted>": the admin token and any password in a
// URL. Without a token it loads back to the same configuration.
nlohmann::json to_redacted_json(const ProxyConfig& config);

}  // namespace ficus::config
