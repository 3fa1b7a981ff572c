// to_redacted_json (declared in config_loader.h): ProxyConfig back to the file's schema.
#include <nlohmann/json.hpp>

#include "config/config_loader.h"
#include "config/redaction.h"

namespace ficus::config {
namespace {

using nlohmann::json;

json bucket_source_json(const BucketSource& source) {
  switch (source.kind) {
    case BucketSource::Kind::header:
      return {{"header", source.name}};
    case BucketSource::Kind::cookie:
      return {{"cookie", source.name}};
    case BucketSource::Kind::query:
      return {{"query", source.name}};
    case BucketSource::Kind::client_ip:
      return "client_ip";
    case BucketSource::Kind::random:
      break;
  }
  return "random";
}

json cutover_json(const CutoverPlan& plan) {
  json out = {{"database", redact_url_credentials(plan.database)},
              {"expand", plan.expand},
              {"steps", plan.steps},
              {"step_interval_s", plan.step_interval.count()},
              {"gates",
               {{"min_requests", plan.gates.min_requests},
                {"max_error_rate_delta", plan.gates.max_error_rate_delta},
                {"max_p99_ratio", plan.gates.max_p99_ratio}}},
              {"on_failure", to_string(plan.on_failure)},
              {"max_insufficient_intervals", plan.max_insufficient_intervals},
              {"soak_before_contract_s", plan.soak_before_contract.count()},
              {"contract", plan.contract},
              {"migrations_dir", plan.migrations_dir}};
  // Empty means "straight to 0", which the file says by leaving the key out.
  if (!plan.rollback_steps.empty()) out["rollback_steps"] = plan.rollback_steps;
  return out;
}

json route_json(const RouteConfig& route) {
  json match = {{"path_prefix", route.match.path_prefix}};
  if (!route.match.host.empty()) match["host"] = route.match.host;
  json out = {{"name", route.name}, {"match", std::move(match)}, {"old", route.old_upstream}};
  // Optional keys appear only when set, so the output says what the file said.
  if (!route.new_upstream.empty()) out["new"] = route.new_upstream;
  if (!route.flag.empty()) out["flag"] = route.flag;
  if (!route.bucket_by.empty()) {
    json sources = json::array();
    for (const BucketSource& source : route.bucket_by)
      sources.push_back(bucket_source_json(source));
    out["bucket_by"] = std::move(sources);
  }
  if (route.timeout) out["timeout_ms"] = route.timeout->count();
  if (route.override_target) {
    json override_json = {{"header", route.override_target->header}};
    if (!route.override_target->cookie.empty())
      override_json["cookie"] = route.override_target->cookie;
    if (!route.override_target->secret_env.empty()) {
      override_json["secret_env"] = route.override_target->secret_env;
    }
    out["override"] = std::move(override_json);
  }
  if (!route.pin_cookie.empty()) out["pin_cookie"] = route.pin_cookie;
  if (route.cutover) out["cutover"] = cutover_json(*route.cutover);
  return out;
}

json upstream_json(const UpstreamConfig& upstream) {
  json endpoints = json::array();
  for (const HostPort& endpoint : upstream.endpoints) endpoints.push_back(endpoint.to_string());
  return {{"endpoints", std::move(endpoints)},
          {"pool",
           {{"max_idle", upstream.pool.max_idle},
            {"max_connections", upstream.pool.max_connections},
            {"idle_timeout_ms", upstream.pool.idle_timeout.count()}}},
          {"connect_timeout_ms", upstream.connect_timeout.count()}};
}

}  // namespace

json to_redacted_json(const ProxyConfig& config) {
  json admin = {{"listen", config.admin.listen.to_string()}};
  if (!config.admin.token_env.empty()) admin["token_env"] = config.admin.token_env;
  if (!config.admin.token.empty()) admin["token"] = kRedacted;
  if (!config.admin.read_only_token_env.empty()) {
    admin["read_only_token_env"] = config.admin.read_only_token_env;
  }
  if (!config.admin.read_only_token.empty()) admin["read_only_token"] = kRedacted;
  admin["max_body_bytes"] = config.admin.max_body_bytes;
  admin["auth_failure_log_max"] = config.admin.auth_failure_log_max;
  admin["auth_failure_log_interval_ms"] = config.admin.auth_failure_log_interval.count();

  // Only "file:" sources exist today; flagd also knows http(s) sources, which may carry a password.
  json sources = json::array();
  for (const std::string& source : config.flags.sources) {
    sources.push_back(redact_url_credentials(source));
  }
  json upstreams = json::object();
  for (const UpstreamConfig& upstream : config.upstreams) {
    upstreams[upstream.name] = upstream_json(upstream);
  }
  json routes = json::array();
  for (const RouteConfig& route : config.routes) routes.push_back(route_json(route));

  json out = {
      {"listen", config.listen.to_string()},
      {"admin", std::move(admin)},
      {"threads", config.threads},
      {"flags", {{"sources", std::move(sources)}}},
      {"upstreams", std::move(upstreams)},
      {"routes", std::move(routes)},
      {"limits",
       {{"max_header_bytes", config.limits.max_header_bytes},
        {"max_body_bytes", config.limits.max_body_bytes},
        {"max_connections", config.limits.max_connections}}},
      {"timeouts",
       {{"header_read_ms", config.timeouts.header_read.count()},
        {"body_idle_ms", config.timeouts.body_idle.count()},
        {"keepalive_idle_ms", config.timeouts.keepalive_idle.count()},
        {"upstream_ms", config.timeouts.upstream.count()},
        {"drain_ms", config.timeouts.drain.count()}}},
      {"ficus_headers", config.ficus_headers},
      {"trusted_proxies", config.trusted_proxies},
  };
  if (!config.access_log.path.empty()) {
    out["access_log"] = {{"path", config.access_log.path}};
  }
  out["audit_log"] = {{"path", config.audit_log.path}};
  out["metrics"] = {{"enabled", config.metrics.enabled}};
  return out;
}

}  // namespace ficus::config
