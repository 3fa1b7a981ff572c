#include "cutover/migration_gate.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "migrations/runner/migration_error.h"

namespace ficus::cutover {
namespace {

namespace fs = std::filesystem;
using migrations::GateDecision;
using migrations::MigrationInfo;
using migrations::Phase;

std::string id_of(const MigrationInfo& migration) {
  return migration.version + "_" + migration.name;
}

std::string percent(double share) {
  return fmt::format("{:g} %", share);
}

std::string same_path(const std::string& path) {
  std::error_code ignored;
  return fs::weakly_canonical(fs::absolute(path), ignored).lexically_normal().string();
}

// Whether any route of the file has a "cutover" object. A file that is only there for its
// `migrate` object is not a proxy config and must not be held to the proxy's schema.
bool file_has_plans(const std::string& path) {
  std::ifstream in(path);
  nlohmann::json root = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false,
                                              /*ignore_comments=*/true);
  if (root.is_discarded()) return true;  // let the proxy's loader say what is wrong
  if (!root.is_object() || !root.contains("routes") || !root["routes"].is_array()) return false;
  return std::any_of(root["routes"].begin(), root["routes"].end(), [](const nlohmann::json& r) {
    return r.is_object() && r.contains("cutover");
  });
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const std::string& name : names) quoted.push_back("\"" + name + "\"");
  return fmt::format("{}", fmt::join(quoted, ", "));
}

}  // namespace

std::string format_duration(double seconds) {
  auto total = static_cast<long long>(std::ceil(std::max(seconds, 0.0)));
  const long long days = total / 86'400;
  const long long hours = total % 86'400 / 3'600;
  const long long minutes = total % 3'600 / 60;
  const long long secs = total % 60;
  if (days > 0) return fmt::format("{}d {}h", days, hours);
  if (hours > 0) return fmt::format("{}h {}m", hours, minutes);
  if (minutes > 0) return fmt::format("{}m {}s", minutes, secs);
  return fmt::format("{}s", secs);
}

MigrationGate::MigrationGate(std::optional<PlannedConfig> planned, migrations::GateContext context,
                             LiveStatusSource live, std::string live_address, std::ostream& notes)
    : planned_(std::move(planned)),
      context_(std::move(context)),
      live_(std::move(live)),
      live_address_(std::move(live_address)),
      notes_(notes) {}

std::vector<MigrationGate::Listing> MigrationGate::routes_listing(const std::string& id,
                                                                  bool in_contract) const {
  std::vector<Listing> out;
  if (!planned_ || !planned_->config) return out;
  for (const config::RouteConfig& route : planned_->config->routes) {
    if (!route.cutover) continue;
    const auto& ids = in_contract ? route.cutover->contract : route.cutover->expand;
    if (std::find(ids.begin(), ids.end(), id) != ids.end())
      out.push_back({route.name, &*route.cutover});
  }
  return out;
}

std::vector<std::string> MigrationGate::routes_drawing_on_dir() const {
  std::vector<std::string> out;
  if (!planned_ || !planned_->config) return out;
  const std::string dir = same_path(context_.dir);
  for (const config::RouteConfig& route : planned_->config->routes) {
    if (route.cutover && same_path(route.cutover->migrations_dir) == dir) out.push_back(route.name);
  }
  return out;
}

std::string MigrationGate::unknown_state(const std::string& route, const std::string& error) const {
  return fmt::format(
      "the cutover state of route \"{}\" is unknown: {}. Without it ficus cannot tell whether "
      "the route's traffic still depends on this; start the proxy with this config (ficus serve "
      "--config {}) or set migrate.proxy_admin to where its admin API listens (now {}), then run "
      "this again",
      route, error, planned_->path, live_address_);
}

void MigrationGate::note_once(const std::string& id, const std::string& text) {
  if (noted_.insert(id).second) notes_ << "note: " << text << '\n' << std::flush;
}

GateDecision MigrationGate::before_apply(const MigrationInfo& migration) {
  const std::string id = id_of(migration);
  if (!planned_) {
    if (migration.phase == Phase::kContract) {
      note_once(id, fmt::format("{} is a contract migration and no config was given (--config or "
                                "$FICUS_CONFIG), so no cutover plan was checked before it",
                                id));
    }
    return GateDecision::allow();
  }
  std::vector<Listing> listing = routes_listing(id, /*in_contract=*/true);
  if (listing.empty()) {
    if (migration.phase != Phase::kContract) return GateDecision::allow();
    std::vector<std::string> drawing = routes_drawing_on_dir();
    if (!drawing.empty() && !context_.allow_unplanned_contract) {
      return GateDecision::refuse(fmt::format(
          "it is marked `-- ficus:phase contract` but no cutover plan in {} lists it, while the "
          "plans of route {} draw on {}; add \"{}\" to cutover.contract of the route whose old "
          "code reads what it removes, or pass --allow-unplanned-contract if no route's traffic "
          "depends on it",
          planned_->path, quoted_list(drawing), context_.dir, id));
    }
    note_once(id, fmt::format("{} is a contract migration that no cutover plan in {} lists; "
                              "applying it without a traffic check",
                              id, planned_->path));
    return GateDecision::allow();
  }
  std::vector<std::string> refusals;
  for (const Listing& entry : listing) {
    const double soak = static_cast<double>(entry.plan->soak_before_contract.count());
    LiveStatusResult live = live_(entry.route);
    if (!live.status) {
      refusals.push_back(unknown_state(entry.route, live.error));
      continue;
    }
    const LiveCutoverStatus& status = *live.status;
    if (status.share_percent < 100) {
      std::string where = status.killed ? std::string("killed") : status.state;
      if (status.step_index && !status.steps.empty()) {
        where += fmt::format(", step {} of {}", *status.step_index + 1, status.steps.size());
      }
      refusals.push_back(fmt::format(
          "route \"{}\" sends {} of its traffic to new (cutover {}); contract migration {} needs "
          "it at 100 % for {} (soak_before_contract_s) first, so at least {} left once it "
          "reaches 100 % (ficus cutover status {})",
          entry.route, percent(status.share_percent), where, id, format_duration(soak),
          format_duration(soak), entry.route));
    } else if (!status.full_for_s) {
      refusals.push_back(fmt::format(
          "route \"{}\" is at 100 % new but the proxy at {} does not say since when, so its soak "
          "of {} cannot be shown to be over; check ficus cutover status {}",
          entry.route, live_address_, format_duration(soak), entry.route));
    } else if (*status.full_for_s < soak) {
      refusals.push_back(fmt::format(
          "route \"{}\" has been at 100 % new for {} of its {} soak (soak_before_contract_s): {} "
          "left",
          entry.route, format_duration(std::floor(*status.full_for_s)), format_duration(soak),
          format_duration(soak - *status.full_for_s)));
    }
  }
  if (refusals.empty()) return GateDecision::allow();
  return GateDecision::refuse(fmt::format("{}", fmt::join(refusals, "; ")));
}

GateDecision MigrationGate::before_revert(const MigrationInfo& migration) {
  const std::string id = id_of(migration);
  if (!planned_) {
    if (migration.phase == Phase::kExpand) {
      note_once(id, fmt::format("{} is an expand migration and no config was given (--config or "
                                "$FICUS_CONFIG), so no cutover plan was checked before rolling it "
                                "back",
                                id));
    }
    return GateDecision::allow();
  }
  std::vector<std::string> refusals;
  for (const Listing& entry : routes_listing(id, /*in_contract=*/false)) {
    LiveStatusResult live = live_(entry.route);
    if (!live.status) {
      refusals.push_back(unknown_state(entry.route, live.error));
    } else if (live.status->share_percent > 0) {
      refusals.push_back(fmt::format(
          "route \"{}\" still sends {} of its traffic to new, whose code needs expand migration "
          "{}; move the route back to old first (ficus cutover abort {}, or ficus flags kill {}), "
          "then roll back",
          entry.route, percent(live.status->share_percent), id, entry.route, entry.route));
    }
  }
  if (refusals.empty()) return GateDecision::allow();
  return GateDecision::refuse(fmt::format("{}", fmt::join(refusals, "; ")));
}

migrations::MigrateGates make_migrate_gates(std::ostream& notes) {
  auto make = [&notes](const migrations::GateContext& context) {
    std::optional<PlannedConfig> planned;
    std::string address;
    LiveStatusSource live = [](const std::string&) {
      return LiveStatusResult{std::nullopt, "no proxy is known"};
    };
    if (!context.config_path.empty()) {
      if (file_has_plans(context.config_path)) {
        try {
          planned = load_planned_config(context.config_path);
        } catch (const std::runtime_error& e) {
          throw migrations::MigrationError(e.what());
        }
        auto reader = std::make_shared<LiveStatusReader>(
            admin_options_for(*planned, context.proxy_admin), planned->token_env);
        address = reader->address();
        live = [reader](const std::string& route) { return reader->fetch(route); };
      } else {
        planned = PlannedConfig{context.config_path, nullptr, ""};  // known, without plans
      }
    }
    return std::make_shared<MigrationGate>(std::move(planned), context, std::move(live), address,
                                           notes);
  };
  migrations::MigrateGates gates;
  gates.apply = [make](const migrations::GateContext& context) -> migrations::ApplyGate {
    return [gate = make(context)](const MigrationInfo& m) { return gate->before_apply(m); };
  };
  gates.revert = [make](const migrations::GateContext& context) -> migrations::ApplyGate {
    return [gate = make(context)](const MigrationInfo& m) { return gate->before_revert(m); };
  };
  return gates;
}

}  // namespace ficus::cutover
