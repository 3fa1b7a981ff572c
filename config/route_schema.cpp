#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <boost/url/grammar/ci_string.hpp>

#include "config/config_schema.h"
#include "config/name_rules.h"

namespace ficus::config {
namespace {

using nlohmann::json;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), boost::urls::grammar::to_lower);
  return text;
}

// Exact ("api.example.com") or wildcard ("*.example.com"); `host` is already lower-cased.
// Returns what is wrong, or an empty string.
std::string host_pattern_problem(std::string_view host) {
  constexpr std::string_view kForms =
      "use an exact name such as \"api.example.com\" or a wildcard such as \"*.example.com\"";
  if (host == "*") return "\"*\" is not needed: leave out match.host to match any host";
  if (host.find(':') != std::string_view::npos) {
    return fmt::format(
        "\"{}\" includes a port; the port is ignored when matching, so write the "
        "host alone",
        host);
  }
  std::string_view name = host;
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.find('*') != std::string_view::npos) {
    return fmt::format("\"{}\": a wildcard must be the whole first label; {}", host, kForms);
  }
  bool label_empty = true;
  for (char c : name) {
    if (c == '.') {
      if (label_empty) break;
      label_empty = true;
    } else if (is_host_label_char(c)) {
      label_empty = false;
    } else {
      return fmt::format("\"{}\" is not a host name; {}", host, kForms);
    }
  }
  if (label_empty) return fmt::format("\"{}\" has an empty label; {}", host, kForms);
  return {};
}

// Returns what is wrong with a path_prefix, or an empty string.
std::string path_prefix_problem(std::string_view prefix) {
  if (!prefix.starts_with('/')) {
    return fmt::format("\"{}\" must start with '/', e.g. \"/{}\"", prefix, prefix);
  }
  if (prefix.find_first_of("?#") != std::string_view::npos) {
    return fmt::format("\"{}\" contains '?' or '#'; routes match the path only, never the query",
                       prefix);
  }
  if (std::any_of(prefix.begin(), prefix.end(),
                  [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
    return fmt::format("\"{}\" contains spaces or control characters", prefix);
  }
  if (prefix.size() > 1 && prefix.ends_with('/')) {
    return fmt::format(
        "\"{}\" ends with '/'; write \"{}\" (it matches \"{}\" and everything "
        "below it)",
        prefix, prefix.substr(0, prefix.size() - 1), prefix.substr(0, prefix.size() - 1));
  }
  return {};
}

void read_match(const ObjectReader& route, RouteMatch& match) {
  const json* value = route.find("match");
  if (value == nullptr) return;
  const ObjectReader object(*value, route.path_of("match"), {"host", "path_prefix"},
                            route.errors());
  if (object.read_string("host", match.host)) {
    match.host = lower(std::move(match.host));
    if (!match.host.empty()) {
      if (auto problem = host_pattern_problem(match.host); !problem.empty()) {
        object.errors().add(object.path_of("host"), problem);
      }
    }
  }
  if (object.read_string("path_prefix", match.path_prefix)) {
    if (auto problem = path_prefix_problem(match.path_prefix); !problem.empty()) {
      object.errors().add(object.path_of("path_prefix"), problem);
    }
  }
}

constexpr std::string_view kBucketForms =
    R"(use "client_ip", "random", {"header": NAME}, {"cookie": NAME} or {"query": NAME}, or an array of these)";

std::optional<BucketSource> read_bucket_source(const json& value, const std::string& path,
                                               ErrorList& errors) {
  if (value.is_string()) {
    const auto& name = value.get_ref<const std::string&>();
    if (name == "client_ip") return BucketSource{BucketSource::Kind::client_ip, ""};
    if (name == "random") return BucketSource{BucketSource::Kind::random, ""};
    errors.add(path, fmt::format("unknown bucketing source \"{}\"; {}", name, kBucketForms));
    return std::nullopt;
  }
  if (!value.is_object()) {
    errors.add(path, fmt::format("expected a bucketing source, got {}; {}", describe(value),
                                 kBucketForms));
    return std::nullopt;
  }
  const ObjectReader object(value, path, {"header", "cookie", "query"}, errors);
  if (value.size() != 1) {
    errors.add(path, R"(needs exactly one of "header", "cookie" or "query"; for several sources )"
                     R"(write an array, e.g. [{"header": "x-user-id"}, {"cookie": "uid"}])");
    return std::nullopt;
  }
  const std::string& key = value.begin().key();
  if (key != "header" && key != "cookie" && key != "query") return std::nullopt;  // reported
  std::string name;
  if (!object.read_string(key, name)) return std::nullopt;
  const std::string name_path = object.path_of(key);
  if (key == "header" || key == "cookie") {
    if (!is_http_token(name)) {
      errors.add(name_path, fmt::format("\"{}\" is not a valid {} name", name, key));
      return std::nullopt;
    }
    if (key == "header") return BucketSource{BucketSource::Kind::header, lower(name)};
    return BucketSource{BucketSource::Kind::cookie, name};
  }
  if (name.empty()) {
    errors.add(name_path, "needs the query parameter name, e.g. \"user\"");
    return std::nullopt;
  }
  return BucketSource{BucketSource::Kind::query, name};
}

void read_bucket_by(const ObjectReader& route, std::vector<BucketSource>& sources) {
  const json* value = route.find("bucket_by");
  if (value == nullptr) return;
  const std::string path = route.path_of("bucket_by");
  if (!value->is_array()) {
    if (auto source = read_bucket_source(*value, path, route.errors())) sources.push_back(*source);
    return;
  }
  if (value->empty()) {
    route.errors().add(path, "empty; leave out bucket_by for random bucketing, or list sources");
    return;
  }
  for (std::size_t i = 0; i < value->size(); ++i) {
    const std::string element_path = index_path(path, i);
    auto source = read_bucket_source((*value)[i], element_path, route.errors());
    if (!source) continue;
    // client_ip and random always produce a key, so anything listed after them is dead.
    const bool always_present =
        source->kind == BucketSource::Kind::client_ip || source->kind == BucketSource::Kind::random;
    if (always_present && i + 1 < value->size()) {
      route.errors().add(element_path, fmt::format("\"{}\" always yields a key, so the sources "
                                                   "after it are never used; move it last",
                                                   (*value)[i].get<std::string>()));
    }
    sources.push_back(*source);
  }
}

void read_override(const ObjectReader& route, std::optional<OverrideConfig>& out) {
  const json* value = route.find("override");
  if (value == nullptr) return;
  const ObjectReader object(*value, route.path_of("override"), {"header", "cookie", "secret_env"},
                            route.errors());
  if (!object.is_object()) return;
  OverrideConfig config;
  if (object.read_string("header", config.header)) {
    config.header = lower(std::move(config.header));
    if (!is_http_token(config.header)) {
      object.errors().add(object.path_of("header"),
                          fmt::format("\"{}\" is not a valid header name", config.header));
    }
  }
  if (object.read_string("cookie", config.cookie) && !is_http_token(config.cookie)) {
    object.errors().add(object.path_of("cookie"),
                        fmt::format("\"{}\" is not a valid cookie name", config.cookie));
  }
  if (object.read_string("secret_env", config.secret_env) && !is_env_var_name(config.secret_env)) {
    // The value is not repeated: a common slip is to paste the secret itself here.
    object.errors().add(object.path_of("secret_env"),
                        "not an environment variable name (the value is not shown, in case it is "
                        "the secret itself); name the variable that holds it, with letters, "
                        "digits and '_', not starting with a digit");
  }
  out = std::move(config);
}

void check_upstream_reference(const ObjectReader& route, std::string_view key,
                              const std::string& name, const RouteContext& context) {
  if (std::binary_search(context.upstream_names.begin(), context.upstream_names.end(), name)) {
    return;
  }
  if (context.upstream_names.empty()) {
    route.errors().add(route.path_of(key),
                       fmt::format("unknown upstream \"{}\" (no upstreams are defined; add it "
                                   "under \"upstreams\")",
                                   name));
    return;
  }
  route.errors().add(route.path_of(key), fmt::format("unknown upstream \"{}\" (known: {})", name,
                                                     fmt::join(context.upstream_names, ", ")));
}

std::optional<RouteConfig> read_route(const json& value, const std::string& path,
                                      const RouteContext& context, ErrorList& errors) {
  const ObjectReader object(value, path,
                            {"name", "match", "old", "new", "flag", "bucket_by", "timeout_ms",
                             "override", "pin_cookie", "cutover"},
                            errors);
  if (!object.is_object()) return std::nullopt;
  RouteConfig route;

  if (object.require("name", "a unique name used in metrics and logs, e.g. \"orders\"") &&
      object.read_string("name", route.name) && !is_config_name(route.name)) {
    errors.add(object.path_of("name"),
               fmt::format("\"{}\" is not a valid route name; {}", route.name, kConfigNameRule));
  }
  read_match(object, route.match);

  if (object.require("old", "the upstream that serves this route today (a key of \"upstreams\")") &&
      object.read_string("old", route.old_upstream)) {
    check_upstream_reference(object, "old", route.old_upstream, context);
  }
  if (object.read_string("new", route.new_upstream)) {
    check_upstream_reference(object, "new", route.new_upstream, context);
    if (route.new_upstream == route.old_upstream) {
      errors.add(object.path_of("new"),
                 fmt::format("\"new\" and \"old\" are both \"{}\"; point \"new\" at the new "
                             "implementation or remove it",
                             route.new_upstream));
    }
  }
  if (object.read_string("flag", route.flag)) {
    if (route.flag.empty()) {
      errors.add(object.path_of("flag"), "empty; name a flag key or remove \"flag\"");
    } else if (object.find("new") == nullptr) {
      errors.add(object.path_of("flag"),
                 "\"flag\" requires \"new\": the flag chooses between \"old\" and \"new\"; add "
                 "\"new\" or remove \"flag\"");
    } else if (!context.has_flag_sources) {
      errors.add(object.path_of("flag"),
                 fmt::format("flag \"{}\" can never be read: no flag sources are configured; add "
                             "flags.sources, e.g. [\"file:flags.json\"]",
                             route.flag));
    }
  }
  read_bucket_by(object, route.bucket_by);
  object.read_millis("timeout_ms", route.timeout, 1, kMaxMillis);
  read_override(object, route.override_target);
  if (object.read_string("pin_cookie", route.pin_cookie) && !is_http_token(route.pin_cookie)) {
    errors.add(object.path_of("pin_cookie"),
               fmt::format("\"{}\" is not a valid cookie name", route.pin_cookie));
  }
  if (const json* cutover = object.find("cutover"); cutover != nullptr) {
    route.cutover =
        read_cutover_plan(*cutover, object.path_of("cutover"), context.base_dir, errors);
    // The plan ramps the route's flag from old to new, so both must be there.
    const bool has_new = object.find("new") != nullptr;
    if (route.cutover && (!has_new || object.find("flag") == nullptr)) {
      errors.add(object.path_of("cutover"),
                 fmt::format("a cutover plan ramps the route's flag from \"old\" to \"new\", but "
                             "the route has no {}; add {}",
                             has_new ? "\"flag\"" : "\"new\"",
                             has_new ? "\"flag\": the flag key that splits its traffic"
                                     : "\"new\" (the upstream it moves to) and \"flag\""));
    }
  }
  return route;
}

}  // namespace

std::vector<RouteConfig> read_routes(const json& routes, const std::string& path,
                                     const RouteContext& context, ErrorList& errors) {
  std::vector<RouteConfig> result;
  if (!routes.is_array()) {
    errors.add(path, "expected an array of routes, got " + describe(routes));
    return result;
  }
  if (routes.empty()) {
    errors.add(path,
               "no routes defined; add at least one, e.g. {\"name\": \"default\", \"old\": "
               "\"legacy\"}");
  }
  // Earlier routes by name and by (host, path_prefix), to name the first of a clashing pair.
  std::map<std::string, std::size_t> index_by_name;
  std::map<std::pair<std::string, std::string>, std::size_t> index_by_match;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const std::string route_path = index_path(path, i);
    auto route = read_route(routes[i], route_path, context, errors);
    if (!route) continue;
    if (!route->name.empty()) {
      auto [earlier, inserted] = index_by_name.emplace(route->name, i);
      if (!inserted) {
        errors.add(child_path(route_path, "name"),
                   fmt::format("duplicate route name \"{}\" (also {}); route names must be unique",
                               route->name, index_path(path, earlier->second)));
      }
    }
    auto [earlier, inserted] =
        index_by_match.emplace(std::pair{route->match.host, route->match.path_prefix}, i);
    if (!inserted) {
      const std::string host = route->match.host.empty()
                                   ? std::string("any host")
                                   : fmt::format("host \"{}\"", route->match.host);
      errors.add(child_path(route_path, "match"),
                 fmt::format("ambiguous: {} has the same match ({}, path_prefix \"{}\"); change "
                             "one of them or merge the two routes",
                             index_path(path, earlier->second), host, route->match.path_prefix));
    }
    result.push_back(std::move(*route));
  }
  return result;
}

}  // namespace ficus::config
