#include "cutover/live_status.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "config/config_loader.h"
#include "config/host_port_parser.h"
#include "config/json_document.h"

namespace ficus::cutover {
namespace {

namespace http = boost::beast::http;
using nlohmann::json;

bool only_token_env_unset(const std::vector<config::ConfigError>& errors) {
  if (errors.empty()) return false;
  for (const config::ConfigError& error : errors) {
    if (error.path != "admin.token_env" ||
        error.message.find("is not set or is empty") == std::string::npos) {
      return false;
    }
  }
  return true;
}

std::runtime_error config_errors(const std::string& path,
                                 const std::vector<config::ConfigError>& errors) {
  std::string lines;
  for (const config::ConfigError& error : errors) lines += "\n  " + error.to_string();
  return std::runtime_error(
      fmt::format("cannot read the cutover plans of {}:{}\nFix the config "
                  "(ficus check --config {} lists every problem)",
                  path, lines, path));
}

template <typename T>
T value_or(const json& object, const char* key, T fallback) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  return it->get<T>();
}

}  // namespace

PlannedConfig load_planned_config(const std::string& path) {
  config::LoadResult loaded = config::load_config_file(path);
  if (loaded.ok()) return {path, loaded.config, loaded.config->admin.token_env};
  // The plans do not depend on the token; a shell without it can still read them, and the
  // request to the proxy then says which variable to set.
  if (!only_token_env_unset(loaded.errors)) throw config_errors(path, loaded.errors);
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  config::ErrorList errors{path};
  std::optional<json> document = config::parse_json_document(text.str(), errors);
  if (!document) throw config_errors(path, errors.take());
  // Without its token a non-loopback admin.listen is an error of its own; read the plans with
  // the listener on loopback, then put the real address back.
  json& admin = (*document)["admin"];
  std::string token_env = admin["token_env"].get<std::string>();
  admin.erase("token_env");
  std::optional<config::HostPort> listen;
  if (admin.contains("listen") && admin["listen"].is_string()) {
    if (auto parsed = config::parse_host_port(admin["listen"].get<std::string>())) {
      listen = *parsed;
      admin["listen"] = config::HostPort{"127.0.0.1", parsed->port}.to_string();
    }
  }
  loaded = config::parse_config(document->dump(), path);
  if (!loaded.ok()) throw config_errors(path, loaded.errors);
  auto config = std::make_shared<config::ProxyConfig>(*loaded.config);
  config->admin.token_env = token_env;
  if (listen) config->admin.listen = *listen;
  return {path, std::move(config), std::move(token_env)};
}

proxy::control::AdminClientOptions admin_options_for(
    const PlannedConfig& planned, const std::optional<std::string>& proxy_admin) {
  proxy::control::AdminClientOptions options;
  if (proxy_admin) {
    options.address = *proxy_admin;
  } else {
    config::HostPort listen = planned.config->admin.listen;
    // A wildcard listener is reached on loopback from the same host.
    if (listen.host == "0.0.0.0") listen.host = "127.0.0.1";
    if (listen.host == "::" || listen.host == "[::]") listen.host = "::1";
    options.address = listen.to_string();
  }
  options.token = planned.config->admin.token;
  if (options.token.empty() && !planned.token_env.empty()) {
    if (const char* token = std::getenv(planned.token_env.c_str())) options.token = token;
  }
  options.actor = "ficus-migrate";
  options.timeout = std::chrono::seconds(5);
  return options;
}

LiveCutoverStatus parse_live_status(const json& status) {
  LiveCutoverStatus out;
  out.route = value_or<std::string>(status, "route", "");
  out.state = value_or<std::string>(status, "state", "none");
  if (auto it = status.find("step_index"); it != status.end() && it->is_number_integer()) {
    out.step_index = it->get<std::size_t>();
  }
  out.steps = value_or<std::vector<double>>(status, "steps", {});
  out.share_percent = value_or<double>(status, "share_percent", 0);
  out.killed = value_or<bool>(status, "killed", false);
  out.time_in_step_s = value_or<double>(status, "time_in_step_s", 0);
  if (auto it = status.find("full_since"); it != status.end() && it->is_string()) {
    out.full_since = it->get<std::string>();
  }
  if (auto it = status.find("full_for_s"); it != status.end() && it->is_number()) {
    out.full_for_s = it->get<double>();
  }
  out.paused_reason = value_or<std::string>(status, "paused_reason", "");
  if (auto it = status.find("last_gates"); it != status.end()) out.last_gates = *it;
  out.contract_applied = value_or<bool>(status, "contract_applied", false);
  return out;
}

LiveStatusReader::LiveStatusReader(proxy::control::AdminClientOptions options,
                                   std::string token_env)
    : options_(std::move(options)), token_env_(std::move(token_env)) {}

LiveStatusResult LiveStatusReader::fetch(const std::string& route) {
  if (auto cached = cache_.find(route); cached != cache_.end()) return cached->second;
  LiveStatusResult result;
  try {
    proxy::control::AdminClient client(options_);
    proxy::control::AdminResponse response =
        client.request(http::verb::get, "/admin/cutovers/" + route);
    if (response.status == 200) {
      json body = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
      if (body.is_object()) {
        result.status = parse_live_status(body);
      } else {
        result.error = fmt::format(
            "the admin API at {} answered GET /admin/cutovers/{} with "
            "something that is not a JSON object",
            options_.address, route);
      }
    } else if (response.status == 401 || response.status == 403) {
      result.error = fmt::format(
          "the admin API at {} refused the request (HTTP {}: {}); {}", options_.address,
          response.status, response.error_message(),
          token_env_.empty()
              ? std::string("give the admin token in admin.token_env")
              : fmt::format("set ${} (admin.token_env) to its admin token", token_env_));
    } else if (response.status == 404) {
      result.error = fmt::format(
          "the proxy at {} does not know route \"{}\" (HTTP 404: {}); is "
          "it running this config?",
          options_.address, route, response.error_message());
    } else {
      result.error = fmt::format("the admin API at {} answered HTTP {}: {}", options_.address,
                                 response.status, response.error_message());
    }
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  cache_.emplace(route, result);
  return result;
}

}  // namespace ficus::cutover
