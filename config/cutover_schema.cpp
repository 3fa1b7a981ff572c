// read_cutover_plan (declared in config_schema.h): a route's "cutover" object into a CutoverPlan.
#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "config/config_schema.h"

namespace ficus::config {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::uint64_t kMaxIntervalSeconds = 7 * 86'400;  // a week per step is already glacial
constexpr std::uint64_t kMaxSoakSeconds = 365 * 86'400;

// "[1, 5, 25]": the numbers as written, for messages.
std::string list_text(const std::vector<double>& values) {
  return fmt::format("[{}]", fmt::join(values, ", "));
}

std::optional<double> expect_number(const json& value, const std::string& path, ErrorList& errors) {
  if (value.is_number()) return value.get<double>();
  errors.add(path, "expected a number, got " + describe(value));
  return std::nullopt;
}

bool read_number(const ObjectReader& object, std::string_view key, double& out, double min,
                 double max, std::string_view range_hint) {
  const json* value = object.find(key);
  if (value == nullptr) return false;
  auto number = expect_number(*value, object.path_of(key), object.errors());
  if (!number) return false;
  if (!(*number >= min && *number <= max)) {
    object.errors().add(object.path_of(key),
                        fmt::format("must be {}, got {}", range_hint, value->dump()));
    return false;
  }
  out = *number;
  return true;
}

bool read_seconds(const ObjectReader& object, std::string_view key, std::chrono::seconds& out,
                  std::uint64_t min, std::uint64_t max) {
  const json* value = object.find(key);
  if (value == nullptr) return false;
  if (!value->is_number_integer()) {
    object.errors().add(object.path_of(key),
                        "expected a whole number of seconds (e.g. 600), got " + describe(*value));
    return false;
  }
  std::uint64_t number = 0;
  if (!object.read_uint(key, number, min, max)) return false;
  out = std::chrono::seconds(static_cast<std::chrono::seconds::rep>(number));
  return true;
}

// "postgres://..." as written; "sqlite:PATH" with PATH made absolute against the config folder,
// so the proxy and `ficus migrate` (run from anywhere) read the same file.
bool read_database(const ObjectReader& object, const fs::path& base_dir, std::string& out) {
  if (!object.require("database",
                      "the URL of the database the migrations run on, e.g. "
                      "\"postgres://localhost/app\" or \"sqlite:app.db\"")) {
    return false;
  }
  std::string url;
  if (!object.read_string("database", url)) return false;
  const std::string path = object.path_of("database");
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) {
    out = url;
    return true;
  }
  if (url.starts_with("sqlite:")) {
    std::string file = url.substr(std::string_view("sqlite:").size());
    if (file.starts_with("//")) file.erase(0, 2);  // dbmate's sqlite:///abs and sqlite://rel
    if (file.empty() || file == ":memory:") {
      object.errors().add(path, fmt::format("\"{}\" names no file; write sqlite:PATH, e.g. "
                                            "\"sqlite:app.db\" (relative to this file's folder)",
                                            url));
      return false;
    }
    out = "sqlite:" + (base_dir / file).lexically_normal().string();
    return true;
  }
  object.errors().add(path, fmt::format("\"{}\" is neither postgres://... nor sqlite:PATH; write "
                                        "e.g. \"postgres://localhost/app\" or \"sqlite:app.db\"",
                                        url));
  return false;
}

// "<14-digit version>_<name>", the migration file's name without ".sql".
std::string migration_id_problem(std::string_view id) {
  constexpr std::string_view kForm =
      "a migration id is the file name without .sql, e.g. \"20261124120000_add_status\"";
  std::string_view stem = id;
  if (stem.ends_with(".sql")) {
    return fmt::format("\"{}\": leave out \".sql\"; {}", id, kForm);
  }
  if (stem.find('/') != std::string_view::npos) {
    return fmt::format("\"{}\" is a path; {} (the folder is \"migrations_dir\")", id, kForm);
  }
  const bool versioned =
      stem.size() > 15 && stem[14] == '_' &&
      std::all_of(stem.begin(), stem.begin() + 14, [](char c) { return c >= '0' && c <= '9'; });
  if (!versioned) return fmt::format("\"{}\" is not <version>_<name>; {}", id, kForm);
  return {};
}

void read_migration_ids(const ObjectReader& object, std::string_view key,
                        std::vector<std::string>& out) {
  const json* value = object.find(key);
  if (value == nullptr) return;
  const std::string path = object.path_of(key);
  if (!value->is_array()) {
    object.errors().add(path, "expected an array of migration ids, got " + describe(*value));
    return;
  }
  for (std::size_t i = 0; i < value->size(); ++i) {
    const std::string element_path = index_path(path, i);
    auto id = expect_string((*value)[i], element_path, object.errors());
    if (!id) continue;
    if (auto problem = migration_id_problem(*id); !problem.empty()) {
      object.errors().add(element_path, problem);
      continue;
    }
    if (std::find(out.begin(), out.end(), *id) != out.end()) {
      object.errors().add(element_path, fmt::format("\"{}\" is listed twice; remove one", *id));
      continue;
    }
    out.push_back(std::move(*id));
  }
}

// Reads an array of percentages into `out`; false (reported) when any element is not a number.
bool read_percent_list(const ObjectReader& object, std::string_view key, std::vector<double>& out) {
  const json* value = object.find(key);
  if (value == nullptr) return false;
  const std::string path = object.path_of(key);
  if (!value->is_array()) {
    object.errors().add(path, "expected an array of percentages, got " + describe(*value));
    return false;
  }
  bool all_numbers = true;
  for (std::size_t i = 0; i < value->size(); ++i) {
    auto number = expect_number((*value)[i], index_path(path, i), object.errors());
    if (number) {
      out.push_back(*number);
    } else {
      all_numbers = false;
    }
  }
  return all_numbers;
}

void read_steps(const ObjectReader& object, std::vector<double>& steps) {
  if (!object.require("steps",
                      "the percentages of traffic on new, held in turn, e.g. "
                      "[1, 5, 25, 50, 100]")) {
    return;
  }
  std::vector<double> read;
  if (!read_percent_list(object, "steps", read)) return;
  const std::string path = object.path_of("steps");
  if (read.empty()) {
    object.errors().add(path,
                        "empty; list the percentages of new in turn, e.g. [1, 5, 25, 50, "
                        "100]");
    return;
  }
  for (std::size_t i = 0; i < read.size(); ++i) {
    if (!(read[i] > 0 && read[i] <= 100)) {
      object.errors().add(index_path(path, i),
                          fmt::format("must be above 0 and at most 100 (got {}); a ramp starts "
                                      "from 0 % by itself",
                                      read[i]));
      return;
    }
    if (i > 0 && read[i] <= read[i - 1]) {
      object.errors().add(path, fmt::format("must be strictly increasing (got {}); each step "
                                            "sends more traffic to new than the one before",
                                            list_text(read)));
      return;
    }
  }
  if (read.back() != 100) {
    object.errors().add(
        path, fmt::format("must end at 100 (got {}); add 100 as the last step", list_text(read)));
    return;
  }
  steps = std::move(read);
}

void read_rollback_steps(const ObjectReader& object, std::vector<double>& rollback_steps) {
  std::vector<double> read;
  if (!read_percent_list(object, "rollback_steps", read)) return;
  const std::string path = object.path_of("rollback_steps");
  if (read.empty()) {
    object.errors().add(path,
                        "empty; leave out rollback_steps to go straight to 0 %, or list "
                        "the way down, e.g. [25, 5, 0]");
    return;
  }
  for (std::size_t i = 0; i < read.size(); ++i) {
    if (!(read[i] >= 0 && read[i] < 100)) {
      object.errors().add(index_path(path, i),
                          fmt::format("must be at least 0 and below 100 (got {})", read[i]));
      return;
    }
    if (i > 0 && read[i] >= read[i - 1]) {
      object.errors().add(path, fmt::format("must be strictly decreasing (got {}); each step "
                                            "sends less traffic to new than the one before",
                                            list_text(read)));
      return;
    }
  }
  if (read.back() != 0) {
    object.errors().add(path, fmt::format("must end at 0 (got {}); a rollback ends with no "
                                          "traffic on new",
                                          list_text(read)));
    return;
  }
  rollback_steps = std::move(read);
}

void read_gates(const ObjectReader& plan, CutoverGates& gates) {
  const json* value = plan.find("gates");
  if (value == nullptr) return;
  const ObjectReader object(*value, plan.path_of("gates"),
                            {"min_requests", "max_error_rate_delta", "max_p99_ratio"},
                            plan.errors());
  object.read_uint("min_requests", gates.min_requests, 1,
                   std::numeric_limits<std::uint64_t>::max());
  read_number(object, "max_error_rate_delta", gates.max_error_rate_delta, 0, 1,
              "a fraction between 0 and 1 (0.01 = one percentage point more errors on new)");
  if (read_number(object, "max_p99_ratio", gates.max_p99_ratio, 0, 1000,
                  "a ratio between 0 and 1000 (1.3 = new's p99 may be 30 % above old's)") &&
      gates.max_p99_ratio == 0) {
    object.errors().add(object.path_of("max_p99_ratio"),
                        "must be above 0 (1.3 = new's p99 may be 30 % above old's)");
  }
}

void read_on_failure(const ObjectReader& object, CutoverPlan::OnFailure& out) {
  std::string text;
  if (!object.read_string("on_failure", text)) return;
  if (text == "rollback") {
    out = CutoverPlan::OnFailure::rollback;
  } else if (text == "pause") {
    out = CutoverPlan::OnFailure::pause;
  } else {
    object.errors().add(object.path_of("on_failure"),
                        fmt::format("unknown value \"{}\"; use \"rollback\" (share of new back to "
                                    "0, or down rollback_steps) or \"pause\" (hold and wait)",
                                    text));
  }
}

// A migration cannot be both: expand must be applied before the ramp, contract only after it.
void check_expand_contract_overlap(const ObjectReader& object, const CutoverPlan& plan) {
  for (std::size_t i = 0; i < plan.contract.size(); ++i) {
    if (std::find(plan.expand.begin(), plan.expand.end(), plan.contract[i]) != plan.expand.end()) {
      object.errors().add(index_path(object.path_of("contract"), i),
                          fmt::format("\"{}\" is also listed in \"expand\"; a migration is "
                                      "applied either before the ramp (expand) or after the soak "
                                      "(contract), not both",
                                      plan.contract[i]));
    }
  }
}

}  // namespace

std::optional<CutoverPlan> read_cutover_plan(const json& value, const std::string& path,
                                             const fs::path& base_dir, ErrorList& errors) {
  const ObjectReader object(
      value, path,
      {"database", "expand", "steps", "step_interval_s", "gates", "on_failure", "rollback_steps",
       "max_insufficient_intervals", "soak_before_contract_s", "contract", "migrations_dir"},
      errors);
  if (!object.is_object()) return std::nullopt;
  CutoverPlan plan;
  read_database(object, base_dir, plan.database);
  read_migration_ids(object, "expand", plan.expand);
  read_steps(object, plan.steps);
  read_seconds(object, "step_interval_s", plan.step_interval, 1, kMaxIntervalSeconds);
  read_gates(object, plan.gates);
  read_on_failure(object, plan.on_failure);
  read_rollback_steps(object, plan.rollback_steps);
  object.read_uint("max_insufficient_intervals", plan.max_insufficient_intervals, 1, 1000);
  read_seconds(object, "soak_before_contract_s", plan.soak_before_contract, 0, kMaxSoakSeconds);
  read_migration_ids(object, "contract", plan.contract);
  check_expand_contract_overlap(object, plan);
  if (object.read_string("migrations_dir", plan.migrations_dir) && plan.migrations_dir.empty()) {
    errors.add(object.path_of("migrations_dir"),
               "empty; name the folder holding the migration files, e.g. \"migrations\"");
  }
  plan.migrations_dir = (base_dir / plan.migrations_dir).lexically_normal().string();
  return plan;
}

}  // namespace ficus::config
