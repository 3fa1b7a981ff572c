#include "cutover/share_guard.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/redaction.h"
#include "cutover/ramp_machine.h"
#include "migrations/runner/history.h"

namespace ficus::cutover {
namespace {

std::string joined(const std::vector<std::string>& ids) {
  std::string text;
  for (const auto& id : ids) text += (text.empty() ? "" : ", ") + id;
  return text;
}

std::string migrate_up_command(const config::CutoverPlan& plan, const std::string& url) {
  return fmt::format("ficus migrate up --db {} --dir {}", url, plan.migrations_dir);
}

}  // namespace

AppliedMigrations read_applied_migrations(const std::string& database_url) {
  AppliedMigrations result;
  try {
    for (const auto& migration : migrations::applied(database_url)) {
      result.ids.insert(migration.version + "_" + migration.name);
    }
  } catch (const std::exception& e) {
    result.error = e.what();
  }
  return result;
}

std::vector<std::string> missing_expand(const config::CutoverPlan& plan,
                                        const AppliedMigrations& applied) {
  std::vector<std::string> missing;
  for (const auto& id : plan.expand) {
    if (!applied.ids.contains(id)) missing.push_back(id);
  }
  return missing;
}

std::vector<std::string> applied_contract(const config::CutoverPlan& plan,
                                          const AppliedMigrations& applied) {
  std::vector<std::string> found;
  for (const auto& id : plan.contract) {
    if (applied.ids.contains(id)) found.push_back(id);
  }
  return found;
}

proxy::control::ShareGuardVerdict judge_share_move(const std::string& route,
                                                   const config::CutoverPlan& plan,
                                                   double from_percent, double to_percent,
                                                   bool force, const AppliedMigrations& applied) {
  const std::string url = config::redact_url_credentials(plan.database);
  const bool raising =
      to_percent > 0 && to_percent > from_percent && !same_share(to_percent, from_percent);
  const bool lowering = to_percent < from_percent && !same_share(to_percent, from_percent);
  if (raising) {
    if (!applied.error.empty()) {
      return {.refusal = fmt::format(
                  "route \"{}\": cannot raise the share of new to {}% because the migration "
                  "history of {} cannot be read to check the expand migrations ({}); fix the "
                  "database connection and try again",
                  route, percent_text(to_percent), url, applied.error)};
    }
    const auto missing = missing_expand(plan, applied);
    if (!missing.empty()) {
      return {.refusal = fmt::format(
                  "route \"{}\": expand migration{} {} {} not applied to {}; run: {}", route,
                  missing.size() == 1 ? "" : "s", joined(missing),
                  missing.size() == 1 ? "is" : "are", url, migrate_up_command(plan, url))};
    }
    return {};
  }
  if (!lowering) return {};
  if (!applied.error.empty()) {
    spdlog::warn(
        "route \"{}\": lowering the share of new to {}% without checking the contract "
        "migrations: the migration history of {} cannot be read ({})",
        route, percent_text(to_percent), url, applied.error);
    return {};
  }
  const auto contract = applied_contract(plan, applied);
  if (contract.empty()) return {};
  const std::string what =
      fmt::format("contract migration{} {} {} applied to {}", contract.size() == 1 ? "" : "s",
                  joined(contract), contract.size() == 1 ? "is" : "are", url);
  if (force) return {.forced = what};
  return {.refusal = fmt::format(
              "route \"{}\": {}, so old code would break on the new schema; sending traffic back "
              "to old ({}% -> {}% new) is refused. If you are sure, repeat with \"force\": true "
              "(CLI: --force); it is audited as forced",
              route, what, percent_text(from_percent), percent_text(to_percent))};
}

proxy::control::ShareGuard make_share_guard(MigrationHistoryReader reader) {
  return [reader = std::move(reader)](const proxy::control::ShareMove& move) {
    if (!move.route.cutover) return proxy::control::ShareGuardVerdict{};
    const auto& plan = *move.route.cutover;
    const bool raising = move.to_percent > 0 && move.to_percent > move.from_percent;
    const bool lowering = move.to_percent < move.from_percent;
    if (!raising && !lowering) return proxy::control::ShareGuardVerdict{};
    if (raising && plan.expand.empty()) return proxy::control::ShareGuardVerdict{};
    if (lowering && plan.contract.empty()) return proxy::control::ShareGuardVerdict{};
    return judge_share_move(move.route.name, plan, move.from_percent, move.to_percent, move.force,
                            reader(plan.database));
  };
}

}  // namespace ficus::cutover
