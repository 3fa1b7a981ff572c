// ProxyConfig: the whole `ficus serve` configuration as plain, already-validated structs.
//
// config_loader.h turns a JSON file into one of these (or a list of errors); nothing else parses
// JSON config. Every field has the default it gets when the key is absent; the JSON key is named in
// the comment beside it. Durations are stored as std::chrono types, given in the file as `*_ms`.
//
//   auto loaded = ficus::config::load_config_file("ficus.json");
//   if (!loaded.ok()) for (auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "config/cutover_plan.h"

namespace ficus::config {

using Millis = std::chrono::milliseconds;

// "127.0.0.1:8080", "[::1]:8080", "localhost:9001".
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const;  // "127.0.0.1:8080" / "[::1]:8080"
  bool operator==(const HostPort&) const = default;
};

// "pool": per-upstream keep-alive pool.
struct PoolSettings {
  std::size_t max_idle = 64;           // "max_idle": idle connections kept per endpoint
  std::size_t max_connections = 1024;  // "max_connections": open (busy + idle) per endpoint
  Millis idle_timeout{60'000};  // "idle_timeout_ms": an idle pooled connection is closed after
};

// "upstreams": {"NAME": {...}}
struct UpstreamConfig {
  std::string name;                 // the key in "upstreams"
  std::vector<HostPort> endpoints;  // "endpoints": round-robin, at least one
  PoolSettings pool;                // "pool"
  Millis connect_timeout{2'000};    // "connect_timeout_ms"
};

// One source of the bucketing key ("targetingKey"). "bucket_by" is one of these or an array of
// them, tried in order; when every source is absent the key is random.
//   {"header": "x-user-id"} | {"cookie": "uid"} | {"query": "user"} | "client_ip" | "random"
struct BucketSource {
  enum class Kind { header, cookie, query, client_ip, random };
  Kind kind = Kind::random;
  std::string name;  // header (lower-cased), cookie or query parameter name; empty otherwise
  bool operator==(const BucketSource&) const = default;
};

// "match": {"host": "api.example.com" | "*.example.com", "path_prefix": "/orders"}
struct RouteMatch {
  std::string host;               // "host": empty = any; exact (case-insensitive) or "*.suffix"
  std::string path_prefix = "/";  // "path_prefix": must start with '/'
};

// "override": lets a header or cookie force the target (off unless this object is present).
struct OverrideConfig {
  std::string header = "x-ficus-target";  // "header": lower-cased; value "new" | "old"
  std::string cookie;                     // "cookie": optional cookie carrying the same values
  std::string secret_env;                 // "secret_env": env var; when set, "new;SECRET" required
};

// "routes": [...], in the order written (matching is by specificity, not by order).
struct RouteConfig {
  std::string name;                     // "name": unique, [A-Za-z0-9_.-]+
  RouteMatch match;                     // "match"
  std::string old_upstream;             // "old": required, a key of "upstreams"
  std::string new_upstream;             // "new": optional, a key of "upstreams"
  std::string flag;                     // "flag": optional; requires "new"
  std::vector<BucketSource> bucket_by;  // "bucket_by": empty = random
  std::optional<Millis> timeout;  // "timeout_ms": upstream response; default timeouts.upstream
  std::optional<OverrideConfig> override_target;  // "override"
  std::string pin_cookie;              // "pin_cookie": optional, see the traffic-split docs
  std::optional<CutoverPlan> cutover;  // "cutover": requires "new" and "flag"
};

// "admin": the admin listener (health, config, OFREP, metrics, admin API).
struct AdminConfig {
  HostPort listen{"127.0.0.1", 9901};  // "listen"
  std::string token_env;               // "token_env": env var holding the bearer token
  // "read_only_token_env": env var holding a token that may only read (OFREP, /metrics, GETs);
  // needs token_env. See proxy/admin_access.h for what it may do.
  std::string read_only_token_env;
  // Filled from the environment at load time, never printed (see redacted JSON in /admin/config).
  std::string token;
  std::string read_only_token;
  std::uint64_t max_body_bytes = 1024 * 1024;  // "max_body_bytes": admin and OFREP bodies -> 413
  // Refused requests (401/403) logged and audited one by one, per interval; the rest are counted
  // in one summary entry at the interval's end.
  std::uint64_t auth_failure_log_max = 10;   // "auth_failure_log_max"
  Millis auth_failure_log_interval{60'000};  // "auth_failure_log_interval_ms"
};

// "limits"
struct LimitsConfig {
  std::size_t max_header_bytes = 16 * 1024;   // "max_header_bytes": request head -> 431
  std::uint64_t max_body_bytes = 2ULL << 30;  // "max_body_bytes": request body -> 413
  std::size_t max_connections = 10'000;       // "max_connections": downstream, per process
};

// "timeouts": all in milliseconds in the file.
struct TimeoutsConfig {
  Millis header_read{10'000};     // "header_read_ms": whole request head must arrive within
  Millis body_idle{30'000};       // "body_idle_ms": max gap between body bytes, either direction
  Millis keepalive_idle{60'000};  // "keepalive_idle_ms": idle downstream connection is closed
  Millis upstream{30'000};        // "upstream_ms": default for routes' "timeout_ms"
  Millis drain{15'000};           // "drain_ms": SIGTERM waits this long for requests in flight
};

// "access_log": {"path": "-" | "FILE"}; absent = off. "-" is stdout.
struct AccessLogConfig {
  std::string path;
};

// "audit_log": {"path": "FILE"}: where the control plane appends its JSON-lines audit trail
// (splits, kills, restores, hand edits of flag files). Always on; the default is
// "ficus-audit.jsonl" next to the config file.
struct AuditLogConfig {
  std::string path;  // "path": resolved against the config dir
};

// "metrics": {"enabled": false} turns per-request recording off (request counts, durations,
// in-flight, upstream errors, flag evaluations and the old-vs-new comparison); control-plane
// gauges stay. For measuring what metrics cost, or a host that cannot afford them. Read at startup.
struct MetricsConfig {
  bool enabled = true;  // "enabled"
};

// "flags": {"sources": ["file:flags.json", ...]}; later sources win per flag key.
struct FlagsConfig {
  std::vector<std::string> sources;  // "file:PATH", PATH already resolved against the config dir
};

// One parsed "trusted_proxies" entry. Parsed once at load so the request path only compares bits.
struct IpNetwork {
  boost::asio::ip::address network;  // host bits are zero (validation rejects anything else)
  unsigned prefix_length = 0;        // 32 / 128 for a single address
  // True when `ip` lies inside; an IPv4-mapped IPv6 address counts as its IPv4 address.
  bool contains(const boost::asio::ip::address& ip) const;
  bool operator==(const IpNetwork&) const = default;
};

struct ProxyConfig {
  std::filesystem::path source_file;      // the file this came from (absolute)
  HostPort listen{"127.0.0.1", 8080};     // "listen"
  AdminConfig admin;                      // "admin"
  unsigned threads = 1;                   // "threads": I/O threads, >= 1
  FlagsConfig flags;                      // "flags"
  std::vector<UpstreamConfig> upstreams;  // "upstreams", sorted by name
  std::vector<RouteConfig> routes;        // "routes", in file order
  LimitsConfig limits;                    // "limits"
  TimeoutsConfig timeouts;                // "timeouts"
  bool ficus_headers = true;  // "ficus_headers": add X-Ficus-Route / X-Ficus-Target to responses
  std::vector<std::string>
      trusted_proxies;  // "trusted_proxies": CIDRs whose X-Forwarded-For counts
  // The same entries parsed by the loader, in the same order: what the request path uses.
  std::vector<IpNetwork> trusted_proxy_networks;
  AccessLogConfig access_log;  // "access_log"
  AuditLogConfig audit_log;    // "audit_log"
  MetricsConfig metrics;       // "metrics"

  const UpstreamConfig* find_upstream(const std::string& name) const;
  const RouteConfig* find_route(const std::string& name) const;
};

}  // namespace ficus::config
