#include "cutover/state_file.h"

#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "flags/atomic_file.h"

namespace ficus::cutover {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kFormatVersion = 1;

}  // namespace

fs::path state_file_path_for(const config::ProxyConfig& config) {
  fs::path audit(config.audit_log.path);
  if (audit.empty()) audit = config.source_file.parent_path() / "ficus-audit.jsonl";
  return audit.parent_path() / "ficus-cutover-state.json";
}

std::string utc_timestamp(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(const std::string& text) {
  std::tm utc{};
  std::istringstream in(text);
  in >> std::get_time(&utc, "%Y-%m-%dT%H:%M:%S");
  if (in.fail() || in.get() != 'Z' || in.peek() != std::char_traits<char>::eof()) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(::timegm(&utc));
}

LoadedState CutoverStateFile::load() const {
  LoadedState loaded;
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (fs::exists(path_, ec)) loaded.error = "cannot read " + path_.string();
    return loaded;
  }
  std::stringstream text;
  text << in.rdbuf();
  const json document = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  const auto fail = [&](std::string why) {
    loaded.state = {};
    loaded.error = fmt::format("{}: {}", path_.string(), why);
    return loaded;
  };
  if (document.is_discarded() || !document.is_object()) return fail("not a JSON object");
  if (document.value("version", 0) != kFormatVersion) {
    return fail(fmt::format("\"version\" must be {}", kFormatVersion));
  }
  const json routes = document.value("routes", json::object());
  if (!routes.is_object()) return fail("\"routes\" must be an object");
  for (const auto& [name, saved] : routes.items()) {
    if (!saved.is_object()) return fail(fmt::format("routes.{}: must be an object", name));
    SavedRoute route;
    if (saved.contains("progress") && !saved["progress"].is_null()) {
      std::string error;
      route.progress = RampProgress::from_json(saved["progress"], error);
      if (!route.progress) return fail(fmt::format("routes.{}.progress: {}", name, error));
    }
    if (saved.contains("full_since") && saved["full_since"].is_string()) {
      route.full_since = parse_utc_timestamp(saved["full_since"].get<std::string>());
      if (!route.full_since) {
        return fail(
            fmt::format("routes.{}.full_since: not a UTC time like 2026-11-25T01:00:00Z", name));
      }
    }
    loaded.state.routes.emplace(name, std::move(route));
  }
  return loaded;
}

std::string CutoverStateFile::save(const SavedState& state) const {
  json routes = json::object();
  for (const auto& [name, saved] : state.routes) {
    routes[name] = {
        {"progress", saved.progress ? saved.progress->to_json() : json(nullptr)},
        {"full_since", saved.full_since ? json(utc_timestamp(*saved.full_since)) : json(nullptr)}};
  }
  const json document = {{"version", kFormatVersion}, {"routes", std::move(routes)}};
  return flags::replace_file_atomically(path_, document.dump(2) + "\n", 0640);
}

}  // namespace ficus::cutover
