#include "proxy/target_chooser.h"

#include <cstdlib>
#include <mutex>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "flags/evaluator.h"
#include "flags/flag_store.h"
#include "proxy/constant_time.h"
#include "proxy/metrics/proxy_metrics.h"

namespace ficus::proxy {
namespace {

std::optional<Target> parse_target(std::string_view value) {
  if (value == "new") return Target::new_target;
  if (value == "old") return Target::old_target;
  return std::nullopt;
}

// Logs a fail-safe decision once per (flag, reason) for the life of the process. The lock is
// only reached on the fail-safe path, and only until each pair has been seen once per thread.
void log_fail_safe_once(std::string_view flag, std::string_view why) {
  thread_local std::set<std::pair<std::string, std::string>, std::less<>> seen_here;
  auto key = std::make_pair(std::string(flag), std::string(why));
  if (!seen_here.insert(key).second) return;
  static std::mutex mutex;
  static std::set<std::pair<std::string, std::string>> seen;
  std::lock_guard lock(mutex);
  if (seen.insert(key).second) {
    spdlog::warn("flag {}: {}; sending its route's traffic to old (fail safe)", flag, why);
  }
}

// The override header/cookie, honoured only as configured. With a secret, the value must be
// "new;SECRET" or "old;SECRET".
std::optional<Target> override_target(const config::OverrideConfig& override_config,
                                      const RequestAttributes& request) {
  std::optional<std::string_view> value;
  auto header = request.head().find(override_config.header);
  if (header != request.head().end()) value = header->value();
  if (!value && !override_config.cookie.empty()) {
    value = find_cookie(request.head()[http::field::cookie], override_config.cookie);
  }
  if (!value) return std::nullopt;
  std::string_view wanted = *value;
  if (!override_config.secret_env.empty()) {
    const char* secret = std::getenv(override_config.secret_env.c_str());
    auto semicolon = wanted.find(';');
    if (secret == nullptr || *secret == '\0' || semicolon == std::string_view::npos ||
        !constant_time_equals(wanted.substr(semicolon + 1), secret)) {
      return std::nullopt;
    }
    wanted = wanted.substr(0, semicolon);
  }
  return parse_target(wanted);
}

}  // namespace

std::string_view bucket_key(const std::vector<config::BucketSource>& sources,
                            const RequestAttributes& request, std::uint64_t random,
                            std::string& storage) {
  using Kind = config::BucketSource::Kind;
  for (const auto& source : sources) {
    std::optional<std::string_view> value;
    switch (source.kind) {
      case Kind::header: {
        auto it = request.head().find(source.name);
        if (it != request.head().end()) value = it->value();
        break;
      }
      case Kind::cookie:
        value = find_cookie(request.head()[http::field::cookie], source.name);
        break;
      case Kind::query:
        value = find_query_parameter(request.head().target(), source.name);
        break;
      case Kind::client_ip:
        value = request.client_ip();
        break;
      case Kind::random:
        break;
    }
    if (source.kind == Kind::random) break;
    if (value && !value->empty()) return *value;
  }
  storage = fmt::format("random-{:016x}", random);
  return storage;
}

TargetChoice TargetChooser::choose(std::size_t worker, const config::RouteConfig& route,
                                   const RequestAttributes& request, std::uint64_t random,
                                   const flags::FlagSet* flags) const {
  if (route.new_upstream.empty() || route.flag.empty()) return {Target::old_target, "no-flag", {}};
  if (store_ == nullptr) {
    log_fail_safe_once(route.flag, "no flag sources are configured");
    return {Target::old_target, "fail-safe", {}};
  }
  std::shared_ptr<const flags::FlagSet> loaded;
  if (flags == nullptr) {
    loaded = store_->current();
    flags = loaded.get();
  }
  const flags::Flag* flag = flags->find(route.flag);
  if (flag == nullptr) {
    if (metrics_) metrics_->record_flag_evaluation(worker, route.flag, "", "ERROR");
    log_fail_safe_once(route.flag, "flag not found in any flag source");
    return {Target::old_target, "fail-safe", {}};
  }
  if (!flag->enabled) {
    if (metrics_) metrics_->record_flag_evaluation(worker, route.flag, "", "DISABLED");
    return {Target::old_target, "killed", {}};
  }
  if (route.override_target) {
    if (auto forced = override_target(*route.override_target, request)) {
      return {*forced, "override", {}};
    }
  }
  if (!route.pin_cookie.empty() &&
      find_cookie(request.head()[http::field::cookie], route.pin_cookie) == "new") {
    return {Target::new_target, "pin", {}};
  }

  std::string storage;
  auto key = bucket_key(route.bucket_by, request, random, storage);
  flags::EvalContext context(key, &request);
  auto resolution = flags::evaluate_flag(*flag, context);
  if (metrics_) {
    metrics_->record_flag_evaluation(worker, route.flag, resolution.variant,
                                     flags::to_string(resolution.reason));
  }
  if (!resolution.ok() || resolution.value == nullptr) {
    log_fail_safe_once(route.flag, resolution.ok() ? "no variant applies"
                                                   : std::string_view(resolution.error_message));
    return {Target::old_target, "fail-safe", resolution.variant};
  }
  const auto& value = *resolution.value;
  std::optional<Target> target;
  if (value.is_string()) target = parse_target(value.get_ref<const std::string&>());
  if (value.is_boolean()) target = value.get<bool>() ? Target::new_target : Target::old_target;
  if (!target) {
    log_fail_safe_once(route.flag, "variant value is neither \"new\"/\"old\" nor true/false");
    return {Target::old_target, "fail-safe", resolution.variant};
  }
  return {*target, "flag", resolution.variant};
}

}  // namespace ficus::proxy
