#include "config/config_schema.h"

#include <cstdlib>
#include <limits>

#include <fmt/format.h>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>

#include "config/host_port_parser.h"
#include "config/name_rules.h"

namespace ficus::config {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
constexpr std::uint64_t kNoLimit = std::numeric_limits<std::uint64_t>::max();

bool read_host_port(const ObjectReader& object, std::string_view key, HostPort& out) {
  std::string text;
  if (!object.read_string(key, text)) return false;
  auto parsed = parse_host_port(text);
  if (!parsed) {
    object.errors().add(object.path_of(key), parsed.error().message);
    return false;
  }
  out = *parsed;
  return true;
}

fs::path resolve(const fs::path& base_dir, const std::string& path) {
  return (base_dir / path).lexically_normal();
}

// The section under `key` of `parent`, as an array; reports anything else.
const json* find_array(const ObjectReader& parent, std::string_view key) {
  const json* value = parent.find(key);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) {
    parent.errors().add(parent.path_of(key), "expected an array, got " + describe(*value));
    return nullptr;
  }
  return value;
}

// Reads `key` (an env var name) and the secret it holds into `env` and `secret`.
void read_token_env(const ObjectReader& object, std::string_view key, std::string_view what,
                    std::string& env, std::string& secret) {
  if (!object.read_string(key, env)) return;
  const std::string path = object.path_of(key);
  if (!is_env_var_name(env)) {
    // The value is not repeated: a common slip is to paste the token itself here.
    object.errors().add(path, fmt::format("not an environment variable name (the value is not "
                                          "shown, in case it is the {} itself); name the variable "
                                          "that holds it, with letters, digits and '_', not "
                                          "starting with a digit",
                                          what));
  } else if (const char* token = std::getenv(env.c_str()); token == nullptr || *token == '\0') {
    object.errors().add(path, fmt::format("environment variable {} is not set or is empty; set "
                                          "it to the {} before starting ficus",
                                          env, what));
  } else {
    secret = token;
  }
}

// Returns false when admin.listen was written but invalid (so it is not compared with listen).
bool read_admin(const ObjectReader& top, AdminConfig& admin) {
  const json* value = top.find("admin");
  bool listen_usable = true;
  if (value != nullptr) {
    const ObjectReader object(*value, top.path_of("admin"),
                              {"listen", "token_env", "read_only_token_env", "max_body_bytes",
                               "auth_failure_log_max", "auth_failure_log_interval_ms"},
                              top.errors());
    listen_usable =
        object.find("listen") == nullptr || read_host_port(object, "listen", admin.listen);
    read_token_env(object, "token_env", "admin bearer token", admin.token_env, admin.token);
    read_token_env(object, "read_only_token_env", "read-only bearer token",
                   admin.read_only_token_env, admin.read_only_token);
    if (!admin.read_only_token_env.empty() && admin.token_env.empty()) {
      top.errors().add(object.path_of("read_only_token_env"),
                       "a read-only token needs an admin token too (without admin.token_env the "
                       "admin API is open to everyone); set admin.token_env");
    } else if (!admin.read_only_token.empty() && admin.read_only_token == admin.token) {
      top.errors().add(object.path_of("read_only_token_env"),
                       fmt::format("{} holds the same token as {}; give the read-only token its "
                                   "own value",
                                   admin.read_only_token_env, admin.token_env));
    }
    object.read_uint("max_body_bytes", admin.max_body_bytes, 1, kNoLimit);
    object.read_uint("auth_failure_log_max", admin.auth_failure_log_max, 0, kNoLimit);
    object.read_millis("auth_failure_log_interval_ms", admin.auth_failure_log_interval, 1,
                       kMaxMillis);
  }
  if (!is_loopback(admin.listen) && admin.token_env.empty()) {
    top.errors().add("admin.listen",
                     fmt::format("admin API exposed on {} without a token: set admin.token_env",
                                 admin.listen.to_string()));
  }
  return listen_usable;
}

// "file:PATH" with PATH relative to the config folder, or "file:///absolute/path".
void read_flag_source(const json& value, const std::string& path, const fs::path& base_dir,
                      ErrorList& errors, std::vector<std::string>& sources) {
  auto text = expect_string(value, path, errors);
  if (!text) return;
  constexpr std::string_view kFile = "file:";
  if (!text->starts_with(kFile)) {
    const auto colon = text->find(':');
    if (colon == std::string::npos || text->find('/') < colon) {
      errors.add(path, fmt::format("\"{}\" has no scheme; write \"file:{}\"", *text, *text));
    } else {
      errors.add(path, fmt::format("unsupported flag source \"{}\": only \"file:PATH\" is "
                                   "supported (PATH relative to this file's folder)",
                                   text->substr(0, colon + 1)));
    }
    return;
  }
  std::string file = text->substr(kFile.size());
  if (file.starts_with("//")) {
    // URI form: only an empty authority ("file:///abs/path") names a local file.
    if (!file.starts_with("///")) {
      errors.add(path, fmt::format("\"{}\" names a remote host; write \"file:///absolute/path\" "
                                   "or \"file:relative/path\"",
                                   *text));
      return;
    }
    file.erase(0, 2);
  }
  if (file.empty()) {
    errors.add(path, "\"file:\" needs a path, e.g. \"file:flags.json\"");
    return;
  }
  sources.push_back(std::string(kFile) + resolve(base_dir, file).string());
}

// Returns whether any source was written, valid or not: a route's "flag" is only an error when
// there is no source at all (a broken source is reported on its own, not again on every route).
bool read_flags(const ObjectReader& top, const fs::path& base_dir, FlagsConfig& flags) {
  const json* value = top.find("flags");
  if (value == nullptr) return false;
  const ObjectReader object(*value, top.path_of("flags"), {"sources"}, top.errors());
  const json* sources = find_array(object, "sources");
  if (sources == nullptr) return object.find("sources") != nullptr;
  for (std::size_t i = 0; i < sources->size(); ++i) {
    read_flag_source((*sources)[i], index_path(object.path_of("sources"), i), base_dir,
                     top.errors(), flags.sources);
  }
  return !sources->empty();
}

void read_pool(const ObjectReader& upstream, PoolSettings& pool) {
  const json* value = upstream.find("pool");
  if (value == nullptr) return;
  const ObjectReader object(*value, upstream.path_of("pool"),
                            {"max_idle", "max_connections", "idle_timeout_ms"}, upstream.errors());
  object.read_uint("max_connections", pool.max_connections, 1, kNoLimit);
  if (object.read_uint("max_idle", pool.max_idle, 1, kNoLimit) &&
      pool.max_idle > pool.max_connections) {
    object.errors().add(object.path_of("max_idle"),
                        fmt::format("{} idle connections can never be kept with max_connections "
                                    "{}; lower max_idle or raise max_connections",
                                    pool.max_idle, pool.max_connections));
  }
  object.read_millis("idle_timeout_ms", pool.idle_timeout, 1, kMaxMillis);
}

UpstreamConfig read_upstream(const std::string& name, const json& value, const std::string& path,
                             ErrorList& errors) {
  UpstreamConfig upstream;
  upstream.name = name;
  if (!is_config_name(name)) {
    errors.add(path, fmt::format("\"{}\" is not a valid upstream name; {}", name, kConfigNameRule));
  }
  const ObjectReader object(value, path, {"endpoints", "pool", "connect_timeout_ms"}, errors);
  if (!object.require("endpoints", "a list of \"host:port\", e.g. [\"127.0.0.1:9001\"]")) {
    return upstream;
  }
  if (const json* endpoints = find_array(object, "endpoints")) {
    const std::string endpoints_path = object.path_of("endpoints");
    if (endpoints->empty()) {
      errors.add(endpoints_path, "needs at least one \"host:port\", e.g. [\"127.0.0.1:9001\"]");
    }
    for (std::size_t i = 0; i < endpoints->size(); ++i) {
      const std::string endpoint_path = index_path(endpoints_path, i);
      auto text = expect_string((*endpoints)[i], endpoint_path, errors);
      if (!text) continue;
      auto endpoint = parse_host_port(*text);
      if (!endpoint) {
        errors.add(endpoint_path, endpoint.error().message);
        continue;
      }
      auto earlier = std::find(upstream.endpoints.begin(), upstream.endpoints.end(), *endpoint);
      if (earlier != upstream.endpoints.end()) {
        errors.add(endpoint_path,
                   fmt::format("{} is listed twice; remove one (round-robin already spreads load)",
                               endpoint->to_string()));
        continue;
      }
      upstream.endpoints.push_back(*endpoint);
    }
  }
  read_pool(object, upstream.pool);
  object.read_millis("connect_timeout_ms", upstream.connect_timeout, 1, kMaxMillis);
  return upstream;
}

void read_upstreams(const ObjectReader& top, ProxyConfig& config, RouteContext& context) {
  if (!top.require("upstreams",
                   "an object of named upstreams, e.g. {\"legacy\": {\"endpoints\": "
                   "[\"127.0.0.1:9001\"]}}")) {
    return;
  }
  const json& value = *top.find("upstreams");
  const std::string path = top.path_of("upstreams");
  if (!value.is_object()) {
    top.errors().add(path, "expected an object of named upstreams, got " + describe(value));
    return;
  }
  if (value.empty()) {
    top.errors().add(path,
                     "no upstreams defined; add at least one, e.g. \"legacy\": "
                     "{\"endpoints\": [\"127.0.0.1:9001\"]}");
  }
  // nlohmann::json objects iterate in key order, so both lists come out sorted by name.
  for (const auto& [name, upstream] : value.items()) {
    context.upstream_names.push_back(name);
    config.upstreams.push_back(read_upstream(name, upstream, child_path(path, name), top.errors()));
  }
}

void read_limits(const ObjectReader& top, LimitsConfig& limits) {
  const json* value = top.find("limits");
  if (value == nullptr) return;
  const ObjectReader object(*value, top.path_of("limits"),
                            {"max_header_bytes", "max_body_bytes", "max_connections"},
                            top.errors());
  // Beast's header limit is a uint32; read_uint caps the range at the field's own type.
  object.read_uint("max_header_bytes", limits.max_header_bytes, 1,
                   std::numeric_limits<std::uint32_t>::max());
  object.read_uint("max_body_bytes", limits.max_body_bytes, 1, kNoLimit);
  object.read_uint("max_connections", limits.max_connections, 1, kNoLimit);
}

void read_timeouts(const ObjectReader& top, TimeoutsConfig& timeouts) {
  const json* value = top.find("timeouts");
  if (value == nullptr) return;
  const ObjectReader object(
      *value, top.path_of("timeouts"),
      {"header_read_ms", "body_idle_ms", "keepalive_idle_ms", "upstream_ms", "drain_ms"},
      top.errors());
  object.read_millis("header_read_ms", timeouts.header_read, 1, kMaxMillis);
  object.read_millis("body_idle_ms", timeouts.body_idle, 1, kMaxMillis);
  object.read_millis("keepalive_idle_ms", timeouts.keepalive_idle, 1, kMaxMillis);
  object.read_millis("upstream_ms", timeouts.upstream, 1, kMaxMillis);
  object.read_millis("drain_ms", timeouts.drain, 0, kMaxMillis);  // 0: stop without waiting
}

// "10.0.0.0/8", "fd00::/8" or a single address.
void read_trusted_proxies(const ObjectReader& top, std::vector<std::string>& proxies,
                          std::vector<IpNetwork>& networks) {
  const json* list = find_array(top, "trusted_proxies");
  if (list == nullptr) return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string path = index_path(top.path_of("trusted_proxies"), i);
    auto text = expect_string((*list)[i], path, top.errors());
    if (!text) continue;
    boost::system::error_code error;
    std::string canonical;
    IpNetwork parsed;
    if (text->find('/') == std::string::npos) {
      parsed.network = boost::asio::ip::make_address(*text, error);
      parsed.prefix_length = parsed.network.is_v4() ? 32 : 128;
      canonical = *text;
    } else if (text->find(':') == std::string::npos) {
      auto network = boost::asio::ip::make_network_v4(*text, error);
      if (!error) canonical = network.canonical().to_string();
      parsed = {network.network(), network.prefix_length()};
    } else {
      auto network = boost::asio::ip::make_network_v6(*text, error);
      if (!error) canonical = network.canonical().to_string();
      parsed = {network.network(), network.prefix_length()};
    }
    if (error) {
      top.errors().add(path, fmt::format("\"{}\" is not an address or CIDR range; write e.g. "
                                         "\"10.0.0.0/8\", \"fd00::/8\" or \"192.0.2.7\"",
                                         *text));
    } else if (canonical != *text) {
      top.errors().add(path, fmt::format("\"{}\" has bits set past the prefix length; did you "
                                         "mean \"{}\"?",
                                         *text, canonical));
    } else {
      proxies.push_back(*text);
      networks.push_back(parsed);
    }
  }
}

void read_access_log(const ObjectReader& top, const fs::path& base_dir, AccessLogConfig& log) {
  const json* value = top.find("access_log");
  if (value == nullptr) return;
  const ObjectReader object(*value, top.path_of("access_log"), {"path"}, top.errors());
  if (!object.require("path", "\"-\" for stdout or a file path")) return;
  std::string path;
  if (!object.read_string("path", path)) return;
  if (path.empty()) {
    top.errors().add(object.path_of("path"),
                     "empty; use \"-\" for stdout or a file path, or remove access_log");
    return;
  }
  log.path = path == "-" ? path : resolve(base_dir, path).string();
}

void read_audit_log(const ObjectReader& top, const fs::path& base_dir, AuditLogConfig& log) {
  // Every traffic-split change is audited, so there is no "off": absent means the default file.
  std::string path = "ficus-audit.jsonl";
  if (const json* value = top.find("audit_log"); value != nullptr) {
    const ObjectReader object(*value, top.path_of("audit_log"), {"path"}, top.errors());
    if (!object.require("path", "a file path, e.g. \"ficus-audit.jsonl\"")) return;
    if (!object.read_string("path", path)) return;
    if (path.empty()) {
      top.errors().add(object.path_of("path"),
                       "empty; give a file path, or remove audit_log for the default "
                       "\"ficus-audit.jsonl\" next to the config file");
      return;
    }
  }
  log.path = resolve(base_dir, path).string();
}

void read_metrics(const ObjectReader& top, MetricsConfig& metrics) {
  const json* value = top.find("metrics");
  if (value == nullptr) return;
  const ObjectReader object(*value, top.path_of("metrics"), {"enabled"}, top.errors());
  object.read_bool("enabled", metrics.enabled);
}

}  // namespace

ProxyConfig read_proxy_config(const json& document, const fs::path& base_dir, ErrorList& errors) {
  ProxyConfig config;
  const ObjectReader top(
      document, "",
      {"listen", "admin", "threads", "flags", "upstreams", "routes", "limits", "timeouts",
       "ficus_headers", "trusted_proxies", "access_log", "audit_log", "metrics", "migrate"},
      errors);
  if (!top.is_object()) return config;

  const bool listen_usable =
      top.find("listen") == nullptr || read_host_port(top, "listen", config.listen);
  const bool admin_listen_usable = read_admin(top, config.admin);
  if (listen_usable && admin_listen_usable && config.admin.listen == config.listen) {
    errors.add("admin.listen",
               fmt::format("same address as listen ({}); give the admin API its own port",
                           config.listen.to_string()));
  }
  top.read_uint("threads", config.threads, 1, 256);
  RouteContext context;
  context.base_dir = base_dir;
  context.has_flag_sources = read_flags(top, base_dir, config.flags);
  read_upstreams(top, config, context);
  if (top.require("routes",
                  "a list of routes, e.g. [{\"name\": \"default\", \"old\": "
                  "\"legacy\"}]")) {
    config.routes = read_routes(*top.find("routes"), top.path_of("routes"), context, errors);
  }

  read_limits(top, config.limits);
  read_timeouts(top, config.timeouts);
  top.read_bool("ficus_headers", config.ficus_headers);
  read_trusted_proxies(top, config.trusted_proxies, config.trusted_proxy_networks);
  read_access_log(top, base_dir, config.access_log);
  read_audit_log(top, base_dir, config.audit_log);
  read_metrics(top, config.metrics);
  // "migrate" belongs to `ficus migrate` (migrations/migrate_config.cpp), which reads the same
  // file; the proxy only checks its shape.
  if (const json* migrate = top.find("migrate"); migrate != nullptr && !migrate->is_object()) {
    errors.add("migrate", "expected an object, got " + describe(*migrate));
  }
  return config;
}

}  // namespace ficus::config
