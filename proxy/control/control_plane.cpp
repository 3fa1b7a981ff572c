#include "proxy/control/control_plane.h"

#include <chrono>
#include <cmath>
#include <ctime>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <boost/url/parse.hpp>

#include "flags/flag_file_editor.h"

namespace ficus::proxy::control {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxReason = 2000;
constexpr std::size_t kMaxActor = 200;
const std::string kHandEditReason = "flag file changed outside the admin API";

AdminReply error_reply(http::status status, std::string message) {
  return json_reply(status, {{"error", std::move(message)}});
}

AdminReply method_not_allowed(std::string_view allowed, std::string_view path) {
  auto reply = error_reply(http::status::method_not_allowed,
                           fmt::format("{} accepts only {}", path, allowed));
  reply.set(http::field::allow, allowed);
  return reply;
}

std::string_view path_of(const AdminRequest& request) {
  std::string_view target = request.target();
  return target.substr(0, target.find('?'));
}

// X-Ficus-Actor, else the name of the token the request carried ("admin"; "none" is shown as
// "admin" too: without a token configured, whoever reaches the listener is the admin).
std::string actor_of(const AdminRequest& request) {
  std::string actor(request["X-Ficus-Actor"]);
  const auto first = actor.find_first_not_of(" \t");
  if (first == std::string::npos) {
    return credential_of(request) == AdminCredential::read_only ? "read-only" : "admin";
  }
  actor = actor.substr(first, kMaxActor);
  actor.erase(actor.find_last_not_of(" \t") + 1);
  return actor;
}

std::string known_routes(const config::ProxyConfig& config) {
  std::string names;
  for (const auto& route : config.routes) {
    if (!names.empty()) names += ", ";
    names += route.name;
  }
  return names;
}

std::optional<Rollout> rollout_in(const flags::FlagSet& set, std::string_view key) {
  const flags::Flag* flag = set.find(key);
  if (flag == nullptr) return std::nullopt;
  return rollout_of(*flag);
}

json to_json(const std::optional<Rollout>& rollout) {
  return rollout ? rollout->to_json() : json(nullptr);
}

std::string utc_text(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return text;
}

// "30m" -> now minus 30 minutes; "2026-11-24T22:00" -> itself. nullopt when neither.
std::optional<std::string> parse_since(const std::string& since) {
  static const std::regex duration(R"((\d{1,6})([smhd]))");
  static const std::regex time_prefix(
      R"(\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,3})?)?)?)?)?)?Z?)");
  std::smatch match;
  if (std::regex_match(since, match, duration)) {
    const long count = std::stol(match[1].str());
    const char unit = match[2].str()[0];
    const long seconds = count * (unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : 86400);
    return utc_text(std::chrono::system_clock::now() - std::chrono::seconds(seconds));
  }
  if (std::regex_match(since, time_prefix)) {
    // Entries carry milliseconds before their 'Z', so a trailing 'Z' would sort after them.
    return since.ends_with('Z') ? since.substr(0, since.size() - 1) : since;
  }
  return std::nullopt;
}

}  // namespace

// Lets the FlagStore listener outlive the ControlPlane safely: the store has no way to remove a
// listener, so the destructor detaches it here instead.
struct ControlPlane::ListenerGuard {
  std::mutex mutex;
  ControlPlane* owner = nullptr;
};

json RouteStatus::to_json() const {
  return {{"name", route},
          {"flag", flag.empty() ? json(nullptr) : json(flag)},
          {"flag_defined", flag_defined},
          {"flag_source", flag_source.empty() ? json(nullptr) : json(flag_source)},
          {"new_percent", new_share ? json(share_to_percent(*new_share)) : json(nullptr)},
          {"state", killed ? "killed" : "active"},
          {"targets",
           {{"old", old_upstream},
            {"new", new_upstream.empty() ? json(nullptr) : json(new_upstream)}}}};
}

ControlPlane::ControlPlane(const Snapshot<config::RouteTable>& routes, flags::FlagStore& store,
                           std::filesystem::path audit_log_path)
    : routes_(routes),
      store_(store),
      audit_(std::move(audit_log_path)),
      listener_guard_(std::make_shared<ListenerGuard>()) {
  listener_guard_->owner = this;
  store_.on_change([guard = listener_guard_](const std::shared_ptr<const flags::FlagSet>& before,
                                             const std::shared_ptr<const flags::FlagSet>& after) {
    std::lock_guard lock(guard->mutex);
    if (guard->owner != nullptr) guard->owner->on_flags_changed(*before, *after);
  });
}

ControlPlane::~ControlPlane() {
  std::lock_guard lock(listener_guard_->mutex);
  listener_guard_->owner = nullptr;
}

void ControlPlane::register_endpoints(AdminServer& admin) {
  admin.handle("/admin/routes", [this](const AdminRequest& r) { return handle_routes(r); });
  admin.handle("/admin/routes/", [this](const AdminRequest& r) { return handle_routes(r); });
  admin.handle("/admin/audit", [this](const AdminRequest& r) { return handle_audit(r); });
}

RouteStatus ControlPlane::status_of(const config::RouteConfig& route,
                                    const flags::FlagSet& set) const {
  RouteStatus status;
  status.route = route.name;
  status.flag = route.flag;
  status.old_upstream = route.old_upstream;
  status.new_upstream = route.new_upstream;
  if (route.flag.empty()) {
    status.new_share = 0.0;
    return status;
  }
  if (const flags::Flag* flag = set.find(route.flag)) {
    status.flag_defined = true;
    status.flag_source = flag->source;
    const Rollout rollout = rollout_of(*flag);
    status.new_share = rollout.new_share;
    status.killed = !rollout.enabled;
  }
  return status;
}

std::vector<RouteStatus> ControlPlane::route_statuses() const {
  const auto table = routes_.load();
  const auto set = store_.current();
  std::vector<RouteStatus> statuses;
  for (const auto& route : table->config().routes) statuses.push_back(status_of(route, *set));
  return statuses;
}

AdminReply ControlPlane::handle_routes(const AdminRequest& request) {
  const std::string_view path = path_of(request);
  constexpr std::string_view kBase = "/admin/routes";
  std::string_view rest = path.substr(std::min(path.size(), kBase.size()));
  if (rest.starts_with('/')) rest.remove_prefix(1);
  if (rest.ends_with('/')) rest.remove_suffix(1);

  const auto table = routes_.load();
  if (rest.empty()) {
    if (request.method() != http::verb::get) return method_not_allowed("GET", path);
    json routes = json::array();
    for (const auto& status : route_statuses()) routes.push_back(status.to_json());
    return json_reply(http::status::ok, {{"routes", std::move(routes)}});
  }

  const auto slash = rest.find('/');
  const std::string name(rest.substr(0, slash));
  const std::string action(slash == std::string_view::npos ? "" : rest.substr(slash + 1));
  const config::RouteConfig* route = table->config().find_route(name);
  if (route == nullptr) {
    return error_reply(http::status::not_found,
                       fmt::format("unknown route \"{}\"; the routes are: {} (GET /admin/routes "
                                   "lists them)",
                                   name, known_routes(table->config())));
  }
  if (action.empty()) {
    if (request.method() != http::verb::get) return method_not_allowed("GET", path);
    return json_reply(http::status::ok, status_of(*route, *store_.current()).to_json());
  }
  if (action == "split") {
    if (request.method() != http::verb::put) return method_not_allowed("PUT", path);
  } else if (action == "kill" || action == "restore") {
    if (request.method() != http::verb::post) return method_not_allowed("POST", path);
  } else {
    return error_reply(http::status::not_found,
                       fmt::format("unknown action \"{}\" for route \"{}\"; use split (PUT), kill "
                                   "or restore (POST)",
                                   action, name));
  }
  return change(request, *route, action);
}

AdminReply ControlPlane::change(const AdminRequest& request, const config::RouteConfig& route,
                                const std::string& action) {
  const bool split = action == "split";
  const char* example = split ? R"({"percent": 12.5, "reason": "why"})" : R"({"reason": "why"})";
  json body = json::object();
  if (!request.body().empty()) {
    body = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      return error_reply(http::status::bad_request,
                         fmt::format("the body is not valid JSON; send {}", example));
    }
    if (!body.is_object()) {
      return error_reply(http::status::bad_request,
                         fmt::format("the body must be a JSON object; send {}", example));
    }
  } else if (split) {
    return error_reply(http::status::bad_request,
                       fmt::format("percent: missing; send {}", example));
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "reason" && key != "force" && !(split && key == "percent")) {
      return error_reply(http::status::bad_request,
                         fmt::format("{}: unknown field; {} accepts {}", key, action, example));
    }
  }
  std::string reason;
  if (auto it = body.find("reason"); it != body.end()) {
    if (!it->is_string()) {
      return error_reply(http::status::bad_request, "reason: must be a string, e.g. \"ramp up\"");
    }
    reason = it->get<std::string>();
    if (reason.size() > kMaxReason) {
      return error_reply(http::status::bad_request,
                         fmt::format("reason: longer than {} bytes; shorten it", kMaxReason));
    }
  }
  bool force = false;
  if (auto it = body.find("force"); it != body.end()) {
    if (!it->is_boolean()) {
      return error_reply(http::status::bad_request, "force: must be true or false");
    }
    force = it->get<bool>();
  }
  flags::FlagEdit edit;
  if (split) {
    auto it = body.find("percent");
    if (it == body.end()) {
      return error_reply(http::status::bad_request,
                         fmt::format("percent: missing; send {}", example));
    }
    if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() < 0.0 ||
        it->get<double>() > 100.0) {
      return error_reply(http::status::bad_request,
                         fmt::format("percent: must be a number from 0 to 100 (the share of new), "
                                     "got {}",
                                     it->dump()));
    }
    edit.new_weight = flags::weight_for_percent(it->get<double>());
  } else {
    edit.enabled = action == "restore";
  }
  if (route.flag.empty()) {
    return error_reply(http::status::conflict,
                       fmt::format("route \"{}\" has no flag, so it always goes to old; give it "
                                   "\"new\" and \"flag\" in the config first",
                                   route.name));
  }

  std::lock_guard one_change(change_mutex_);
  const auto before_set = store_.current();
  const flags::Flag* flag = before_set->find(route.flag);
  if (flag == nullptr) {
    return error_reply(http::status::conflict,
                       fmt::format("flag \"{}\" of route \"{}\" is not defined in any flag source; "
                                   "add it to a file in flags.sources",
                                   route.flag, route.name));
  }
  const auto file = flags::source_path(flag->source);
  if (!file) {
    return error_reply(http::status::conflict,
                       fmt::format("flag \"{}\" comes from \"{}\", which is not a file; only file "
                                   "sources can be edited",
                                   route.flag, flag->source));
  }
  const Rollout before = rollout_of(*flag);
  ShareGuardVerdict guarded;
  if (share_guard_) {
    const auto effective = [](bool enabled, double share) {
      return enabled ? share_to_percent(share) : 0.0;
    };
    const double share_before = before.new_share.value_or(0.0);
    const double share_after = edit.new_weight
                                   ? static_cast<double>(*edit.new_weight) / flags::kTotalWeight
                                   : share_before;
    guarded =
        share_guard_({.route = route,
                      .from_percent = effective(before.enabled, share_before),
                      .to_percent = effective(edit.enabled.value_or(before.enabled), share_after),
                      .force = force});
    if (!guarded.refusal.empty()) return error_reply(http::status::conflict, guarded.refusal);
    if (!guarded.forced.empty()) {
      reason = "forced: " + guarded.forced + (reason.empty() ? "" : "; " + reason);
    }
  }

  flags::FlagEditResult result;
  {
    std::lock_guard expecting(expected_mutex_);
    result = flags::edit_flag_file(*file, route.flag, edit);
    if (result.status == flags::FlagEditResult::Status::changed) {
      const auto parsed = flags::parse_flag_source(result.text, *file);
      if (parsed.ok()) {
        for (const auto& written : parsed.source->flags) {
          if (written.key == route.flag)
            expected_.insert_or_assign(route.flag, rollout_of(written));
        }
      }
    }
  }
  const auto forget_expected = [&] {
    std::lock_guard expecting(expected_mutex_);
    expected_.erase(route.flag);
  };
  using Status = flags::FlagEditResult::Status;
  if (result.status == Status::rejected || result.status == Status::not_found) {
    return error_reply(http::status::conflict, result.error);
  }
  if (result.status == Status::io_error) {
    return error_reply(http::status::internal_server_error, result.error);
  }
  const bool changed = result.status == Status::changed;
  if (changed) {
    if (auto errors = store_.reload_now(); !errors.empty()) {
      forget_expected();
      std::string joined;
      for (const auto& e : errors) joined += (joined.empty() ? "" : "; ") + e;
      return error_reply(http::status::internal_server_error,
                         fmt::format("written to {} but the reload failed ({}); the previous flags "
                                     "keep serving until the sources are fixed",
                                     file->c_str(), joined));
    }
  }
  forget_expected();
  const std::optional<Rollout> after = rollout_in(*store_.current(), route.flag);

  json reply = {
      {"route", route.name},     {"flag", route.flag},
      {"file", *file},           {"action", action},
      {"changed", changed},      {"before", before.to_json()},
      {"after", to_json(after)}, {"status", status_of(route, *store_.current()).to_json()}};
  if (changed) {
    std::string error =
        audit_.append({.time = {},
                       .actor = actor_of(request),
                       .token = std::string(to_string(credential_of(request))),
                       .action = guarded.forced.empty() ? action : action + "-forced",
                       .route = route.name,
                       .flag = route.flag,
                       .before = before.to_json(),
                       .after = to_json(after),
                       .reason = reason});
    if (!error.empty()) {
      reply["error"] = "the change is applied, but it could not be audited: " + error;
      return json_reply(http::status::internal_server_error, reply);
    }
  }
  return json_reply(http::status::ok, reply);
}

AdminReply ControlPlane::handle_audit(const AdminRequest& request) const {
  const std::string_view path = path_of(request);
  if (request.method() != http::verb::get) return method_not_allowed("GET", path);
  AuditQuery query;
  auto target = boost::urls::parse_origin_form(request.target());
  if (!target) {
    return error_reply(http::status::bad_request,
                       "the request target is not a valid URL; use /admin/audit?route=R&since=T");
  }
  for (const auto& param : target->params()) {
    if (param.key == "route") {
      query.route = param.value;
    } else if (param.key == "since") {
      auto since = parse_since(param.value);
      if (!since) {
        return error_reply(http::status::bad_request,
                           fmt::format("since: \"{}\" is neither a UTC time like "
                                       "2026-11-24T22:00:00Z (or a prefix of one) nor a duration "
                                       "like 30m, 2h or 7d",
                                       param.value));
      }
      query.since = *since;
    } else {
      return error_reply(
          http::status::bad_request,
          fmt::format("{}: unknown query parameter; use route and since", param.key));
    }
  }
  json entries = json::array();
  for (auto& entry : audit_.read(query)) entries.push_back(std::move(entry));
  return json_reply(http::status::ok,
                    {{"audit_log", audit_.path().string()}, {"entries", std::move(entries)}});
}

void ControlPlane::on_flags_changed(const flags::FlagSet& before, const flags::FlagSet& after) {
  // The first load is not an edit: there was nothing before it.
  if (before.size() == 0) return;
  const auto table = routes_.load();
  std::lock_guard expecting(expected_mutex_);
  std::set<std::string> written_by_api;
  for (const auto& route : table->config().routes) {
    if (route.flag.empty()) continue;
    const auto was = rollout_in(before, route.flag);
    const auto now = rollout_in(after, route.flag);
    if (was == now) continue;
    if (auto it = expected_.find(route.flag); it != expected_.end() && now && *now == it->second) {
      written_by_api.insert(route.flag);
      continue;
    }
    // A failed append cannot be reported to anyone here; the next API call's append will fail
    // loudly if the log stays unwritable.
    (void)audit_.append({.time = {},
                         .actor = "file",
                         .token = {},
                         .action = "file-edit",
                         .route = route.name,
                         .flag = route.flag,
                         .before = to_json(was),
                         .after = to_json(now),
                         .reason = kHandEditReason});
  }
  for (const auto& key : written_by_api) expected_.erase(key);
}

}  // namespace ficus::proxy::control
