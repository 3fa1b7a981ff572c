#include "cutover/cutover_service.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "proxy/control/rollout.h"

namespace ficus::cutover {
namespace {

using nlohmann::json;
using proxy::AdminReply;
using proxy::AdminRequest;
namespace http = proxy::http;

// Between whole-file saves of every ramp's time in step; transitions are saved at once.
constexpr auto kPeriodicSave = std::chrono::seconds(5);
constexpr std::size_t kMaxReason = 2000;
constexpr std::size_t kMaxActor = 200;
constexpr std::string_view kBase = "/admin/cutovers";

AdminReply error_reply(http::status status, std::string message) {
  return proxy::json_reply(status, {{"error", std::move(message)}});
}

std::string actor_of(const AdminRequest& request) {
  std::string actor(request["X-Ficus-Actor"]);
  const auto first = actor.find_first_not_of(" \t");
  if (first == std::string::npos) return "admin";
  actor = actor.substr(first, kMaxActor);
  actor.erase(actor.find_last_not_of(" \t") + 1);
  return actor;
}

double seconds_of(std::chrono::milliseconds ms) {
  return static_cast<double>(ms.count()) / 1000.0;
}

Outcome outcome_of(const AdminReply& reply) {
  const unsigned status = reply.result_int();
  if (status >= 200 && status < 300) return {};
  const json body = json::parse(reply.body(), nullptr, /*allow_exceptions=*/false);
  std::string error = body.is_object() && body.contains("error") && body["error"].is_string()
                          ? body["error"].get<std::string>()
                          : reply.body();
  return {status, std::move(error)};
}

}  // namespace

// What one route's RampMachine acts on: the service, for that route.
class CutoverService::RouteEnvironment : public RampEnvironment {
 public:
  RouteEnvironment(CutoverService& service, std::string route)
      : service_(service), route_(std::move(route)) {}

  double share_percent() override { return service_.share_percent(route_); }
  Outcome set_share(const ShareChange& change) override {
    return service_.set_share(route_, change);
  }
  proxy::metrics::Comparison compare(std::chrono::seconds window) override {
    return service_.compare(route_, window);
  }
  void record(const RampEvent& event) override { service_.record(route_, event); }
  void save(const RampProgress& progress) override { service_.save(route_, progress); }

 private:
  CutoverService& service_;
  std::string route_;
};

CutoverService::CutoverService(Parts parts)
    : parts_(std::move(parts)), file_(parts_.state_file), timer_(parts_.control) {
  if (parts_.registry != nullptr) metrics_ = std::make_unique<CutoverMetrics>(*parts_.registry);
}

CutoverService::~CutoverService() {
  stop();
}

std::string CutoverService::start() {
  auto loaded = file_.load();
  std::string problem;
  if (!loaded.error.empty()) {
    // Starting every plan pending changes no share, and the unreadable file is kept for a person
    // to look at rather than overwritten by the first save.
    std::error_code ec;
    const auto aside = std::filesystem::path(file_.path().string() + ".unreadable");
    std::filesystem::rename(file_.path(), aside, ec);
    problem = fmt::format("{}; moved to {}, every cutover plan starts pending", loaded.error,
                          aside.string());
  }
  saved_ = std::move(loaded.state);
  sync_routes();
  observe_shares();
  if (auto error = write_state(); !error.empty()) {
    problem += (problem.empty() ? "" : "; ") + error;
  }
  running_ = true;
  schedule();
  return problem;
}

void CutoverService::stop() {
  if (!running_) return;
  running_ = false;
  timer_.cancel();
  if (auto error = write_state(); !error.empty()) spdlog::error("cutover: {}", error);
}

void CutoverService::schedule() {
  timer_.expires_after(parts_.tick_interval);
  timer_.async_wait([this](const proxy::error_code& ec) {
    if (ec || !running_) return;
    // An exception must not escape into the control thread's io_context and stop the proxy.
    try {
      tick();
    } catch (const std::exception& e) {
      spdlog::error("cutover: tick failed: {}", e.what());
    }
    schedule();
  });
}

void CutoverService::tick() {
  if (parts_.routes.generation() != routes_generation_) sync_routes();
  const auto now = std::chrono::steady_clock::now();
  for (auto& [name, ramp] : ramps_) {
    ramp.machine->tick(now);
    if (metrics_) metrics_->update(name, ramp.machine->progress());
  }
  observe_shares();
  if (now - last_save_ >= kPeriodicSave) {
    if (auto error = write_state(); !error.empty()) spdlog::error("cutover: {}", error);
  }
}

void CutoverService::sync_routes() {
  const auto table = parts_.routes.load();
  routes_generation_ = parts_.routes.generation();
  const auto now = std::chrono::steady_clock::now();
  std::set<std::string, std::less<>> configured;
  std::set<std::string, std::less<>> planned;
  for (const auto& route : table->config().routes) {
    configured.insert(route.name);
    if (!route.cutover) continue;
    planned.insert(route.name);
    if (auto it = ramps_.find(route.name); it != ramps_.end()) {
      it->second.machine->replace_plan(*route.cutover);
      continue;
    }
    const RampProgress progress = saved_.routes[route.name].progress.value_or(RampProgress{});
    Ramp ramp;
    ramp.environment = std::make_unique<RouteEnvironment>(*this, route.name);
    ramp.machine =
        std::make_unique<RampMachine>(route.name, *route.cutover, *ramp.environment, progress, now);
    auto& machine = *ramp.machine;
    ramps_.emplace(route.name, std::move(ramp));
    machine.recover(now);
    if (progress.state != RampState::pending) {
      spdlog::info(
          "cutover: route \"{}\" resumes {} at step {} ({}% new, {:.1f} s already in the "
          "step)",
          route.name, to_string(progress.state), progress.step_index + 1,
          percent_text(progress.share_percent), seconds_of(progress.time_in_step));
    }
    if (metrics_) metrics_->update(route.name, machine.progress());
  }
  for (auto it = ramps_.begin(); it != ramps_.end();) {
    if (planned.contains(it->first)) {
      ++it;
      continue;
    }
    spdlog::info("cutover: route \"{}\" no longer has a plan; its ramp stops where it is",
                 it->first);
    if (metrics_) metrics_->remove(it->first);
    saved_.routes[it->first].progress.reset();
    it = ramps_.erase(it);
  }
  std::erase_if(saved_.routes,
                [&](const auto& entry) { return !configured.contains(entry.first); });
}

void CutoverService::observe_shares() {
  const auto table = parts_.routes.load();
  bool changed = false;
  for (const auto& status : parts_.control_plane.route_statuses()) {
    if (status.flag.empty()) continue;
    const double share =
        status.killed ? 0.0 : proxy::control::share_to_percent(status.new_share.value_or(0.0));
    auto& full_since = saved_.routes[status.route].full_since;
    if (same_share(share, 100.0)) {
      if (!full_since) {
        full_since = std::chrono::system_clock::now();
        changed = true;
      }
    } else if (full_since) {
      full_since.reset();
      changed = true;
    }
  }
  if (changed) {
    if (auto error = write_state(); !error.empty()) spdlog::error("cutover: {}", error);
  }
}

double CutoverService::share_percent(const std::string& route) const {
  for (const auto& status : parts_.control_plane.route_statuses()) {
    if (status.route != route) continue;
    if (status.killed) return 0.0;
    return proxy::control::share_to_percent(status.new_share.value_or(0.0));
  }
  return 0.0;
}

bool CutoverService::killed(const std::string& route) const {
  for (const auto& status : parts_.control_plane.route_statuses()) {
    if (status.route == route) return status.killed;
  }
  return false;
}

Outcome CutoverService::set_share(const std::string& route, const ShareChange& change) {
  const auto call = [&](http::verb method, const std::string& action, json body) {
    AdminRequest request{method, fmt::format("/admin/routes/{}/{}", route, action), 11};
    request.set("X-Ficus-Actor", change.actor);
    request.set(http::field::content_type, "application/json");
    body["reason"] = change.reason.substr(0, kMaxReason);
    if (change.force) body["force"] = true;
    request.body() = body.dump();
    request.prepare_payload();
    return outcome_of(parts_.control_plane.handle_routes(request));
  };
  const bool was_killed = killed(route);
  Outcome outcome = call(http::verb::put, "split", {{"percent", change.percent}});
  if (!outcome.ok()) return outcome;
  // A split leaves a killed flag killed; the plan means the share it sets.
  if (was_killed && change.percent > 0) outcome = call(http::verb::post, "restore", json::object());
  return outcome;
}

proxy::metrics::Comparison CutoverService::compare(const std::string& route,
                                                   std::chrono::seconds window) {
  const auto& plan = ramps_.at(route).machine->plan();
  window = std::clamp(window, std::chrono::seconds(1), parts_.comparison.capacity());
  return parts_.comparison.compare(route, window, verdict_rule_for(plan.gates),
                                   std::chrono::steady_clock::now());
}

void CutoverService::record(const std::string& route, const RampEvent& event) {
  const auto table = parts_.routes.load();
  const config::RouteConfig* config = table->config().find_route(route);
  proxy::control::AuditEntry entry;
  entry.actor = event.actor;
  entry.action = event.action;
  entry.route = route;
  entry.flag = config != nullptr ? config->flag : "";
  entry.before = {{"cutover_state", to_string(event.from)}, {"new_percent", event.share_before}};
  entry.after = {{"cutover_state", to_string(event.to)},
                 {"step_index", event.step_index},
                 {"new_percent", event.share_after}};
  entry.reason = event.reason;
  spdlog::info("cutover: route \"{}\": {} by {}: {} -> {}: {}", route, event.action, event.actor,
               to_string(event.from), to_string(event.to), event.reason);
  if (auto error = parts_.control_plane.audit_log().append(std::move(entry)); !error.empty()) {
    spdlog::error("cutover: route \"{}\": {} could not be audited: {}", route, event.action, error);
  }
}

void CutoverService::save(const std::string& route, const RampProgress& progress) {
  saved_.routes[route].progress = progress;
  if (auto error = write_state(); !error.empty()) spdlog::error("cutover: {}", error);
}

std::string CutoverService::write_state() {
  for (const auto& [name, ramp] : ramps_) saved_.routes[name].progress = ramp.machine->progress();
  last_save_ = std::chrono::steady_clock::now();
  // Nothing to remember (no plan, no route at 100 % new) and no file yet: leave none behind, so a
  // proxy with no cutover plans writes nothing next to its config (the demo's is in examples/).
  const bool remembers_something =
      std::any_of(saved_.routes.begin(), saved_.routes.end(), [](const auto& entry) {
        return entry.second.progress.has_value() || entry.second.full_since.has_value();
      });
  std::error_code ec;
  if (!remembers_something && !std::filesystem::exists(file_.path(), ec)) return {};
  return file_.save(saved_);
}

void CutoverService::register_endpoints(proxy::AdminServer& admin) {
  admin.handle(std::string(kBase), [this](const AdminRequest& r) { return handle(r); });
  admin.handle(std::string(kBase) + "/", [this](const AdminRequest& r) { return handle(r); });
}

json CutoverService::status(const config::RouteConfig& route) {
  const double share = share_percent(route.name);
  json out = {{"route", route.name}, {"share_percent", share}, {"killed", killed(route.name)}};
  const auto& full_since = saved_.routes[route.name].full_since;
  if (full_since && same_share(share, 100.0)) {
    const auto held = std::chrono::system_clock::now() - *full_since;
    out["full_since"] = utc_timestamp(*full_since);
    out["full_for_s"] = std::chrono::duration<double>(held).count();
  } else {
    out["full_since"] = nullptr;
    out["full_for_s"] = nullptr;
  }
  const auto it = ramps_.find(route.name);
  if (it == ramps_.end()) {
    out.update({{"state", "none"},
                {"step_index", nullptr},
                {"steps", json::array()},
                {"time_in_step_s", nullptr},
                {"step_interval_s", nullptr},
                {"paused_reason", nullptr},
                {"rolling_back", false},
                {"insufficient_intervals", 0},
                {"last_gates", nullptr},
                {"expand_missing", json::array()},
                {"contract_applied", false},
                {"history_error", nullptr}});
    return out;
  }
  const RampMachine& machine = *it->second.machine;
  const RampProgress& progress = machine.progress();
  const config::CutoverPlan& plan = machine.plan();
  const bool stopped = progress.state == RampState::paused || progress.state == RampState::failed;
  out.update(
      {{"state", to_string(progress.state)},
       {"step_index", progress.step_index},
       {"steps", plan.steps},
       {"time_in_step_s", seconds_of(progress.time_in_step)},
       {"step_interval_s", plan.step_interval.count()},
       {"on_failure", config::to_string(plan.on_failure)},
       {"paused_reason", stopped ? json(progress.reason) : json(nullptr)},
       {"rolling_back", progress.rolling_back},
       {"insufficient_intervals", progress.insufficient_intervals},
       {"last_gates", progress.last_gates ? progress.last_gates->to_json() : json(nullptr)}});
  AppliedMigrations applied;
  if (!plan.expand.empty() || !plan.contract.empty()) applied = parts_.history(plan.database);
  out["history_error"] = applied.error.empty() ? json(nullptr) : json(applied.error);
  out["expand_missing"] =
      applied.error.empty() ? json(missing_expand(plan, applied)) : json(nullptr);
  out["contract_applied"] = !applied_contract(plan, applied).empty();
  return out;
}

AdminReply CutoverService::handle(const AdminRequest& request) {
  if (parts_.routes.generation() != routes_generation_) sync_routes();
  std::string_view path = request.target();
  path = path.substr(0, path.find('?'));
  std::string_view rest = path.substr(std::min(path.size(), kBase.size()));
  if (rest.starts_with('/')) rest.remove_prefix(1);
  if (rest.ends_with('/')) rest.remove_suffix(1);
  const auto table = parts_.routes.load();
  const auto& config = table->config();

  if (rest.empty()) {
    if (request.method() != http::verb::get) {
      return error_reply(http::status::method_not_allowed, "/admin/cutovers accepts only GET");
    }
    json list = json::array();
    for (const auto& route : config.routes) {
      if (route.cutover) list.push_back(status(route));
    }
    return proxy::json_reply(http::status::ok, {{"cutovers", std::move(list)}});
  }
  const auto slash = rest.find('/');
  const std::string name(rest.substr(0, slash));
  const std::string action(slash == std::string_view::npos ? "" : rest.substr(slash + 1));
  const config::RouteConfig* route = config.find_route(name);
  if (route == nullptr) {
    std::string names;
    for (const auto& r : config.routes) names += (names.empty() ? "" : ", ") + r.name;
    return error_reply(http::status::not_found,
                       fmt::format("unknown route \"{}\"; the routes are: {}", name, names));
  }
  if (action.empty()) {
    if (request.method() != http::verb::get) {
      return error_reply(http::status::method_not_allowed,
                         fmt::format("{} accepts only GET", path));
    }
    return proxy::json_reply(http::status::ok, status(*route));
  }
  static const std::set<std::string, std::less<>> kActions = {"start", "pause", "resume", "promote",
                                                              "abort"};
  if (!kActions.contains(action)) {
    return error_reply(http::status::not_found,
                       fmt::format("unknown action \"{}\" for route \"{}\"; use start, pause, "
                                   "resume, promote or abort (POST)",
                                   action, name));
  }
  if (request.method() != http::verb::post) {
    return error_reply(http::status::method_not_allowed, fmt::format("{} accepts only POST", path));
  }
  return act(*route, action, request);
}

AdminReply CutoverService::act(const config::RouteConfig& route, const std::string& action,
                               const AdminRequest& request) {
  const auto it = ramps_.find(route.name);
  if (it == ramps_.end()) {
    return error_reply(http::status::conflict,
                       fmt::format("route \"{}\" has no cutover plan; give it a \"cutover\" object "
                                   "in the config first (docs/cutover.md)",
                                   route.name));
  }
  const bool takes_force = action == "start" || action == "abort";
  const bool takes_full = action == "promote";
  const std::string accepts =
      fmt::format("{{\"reason\": \"why\"{}{}}}", takes_force ? ", \"force\": true" : "",
                  takes_full ? ", \"full\": true" : "");
  json body = json::object();
  if (!request.body().empty()) {
    body = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object()) {
      return error_reply(http::status::bad_request,
                         fmt::format("the body must be a JSON object: {} (or empty)", accepts));
    }
  }
  Command command{.actor = actor_of(request)};
  for (const auto& [key, value] : body.items()) {
    if (key == "reason") {
      if (!value.is_string()) {
        return error_reply(http::status::bad_request, "reason: must be a string, e.g. \"ramp\"");
      }
      command.reason = value.get<std::string>();
      if (command.reason.size() > kMaxReason) {
        return error_reply(http::status::bad_request,
                           fmt::format("reason: longer than {} bytes; shorten it", kMaxReason));
      }
    } else if ((key == "force" && takes_force) || (key == "full" && takes_full)) {
      if (!value.is_boolean()) {
        return error_reply(http::status::bad_request,
                           fmt::format("{}: must be true or false", key));
      }
      (key == "force" ? command.force : command.full) = value.get<bool>();
    } else {
      return error_reply(http::status::bad_request,
                         fmt::format("{}: unknown field; {} accepts {}", key, action, accepts));
    }
  }
  RampMachine& machine = *it->second.machine;
  const auto now = std::chrono::steady_clock::now();
  Outcome outcome;
  if (action == "start") {
    outcome = machine.start(command, now);
  } else if (action == "pause") {
    outcome = machine.pause(command, now);
  } else if (action == "resume") {
    outcome = machine.resume(command, now);
  } else if (action == "promote") {
    outcome = machine.promote(command, now);
  } else {
    outcome = machine.abort(command, now);
  }
  if (metrics_) metrics_->update(route.name, machine.progress());
  observe_shares();
  if (!outcome.ok()) {
    return error_reply(static_cast<http::status>(outcome.status), outcome.error);
  }
  json reply = status(route);
  reply["action"] = action;
  return proxy::json_reply(http::status::ok, reply);
}

}  // namespace ficus::cutover
