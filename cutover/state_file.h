// CutoverStateFile: the cutover engine's state on disk, so a ramp survives a restart or a crash.
//
// One JSON file for every route: its RampProgress (state, step, time already spent in the step,
// reason, last gates) and full_since, the time its share reached 100 % and stayed there (what
// `ficus migrate` measures the soak before a contract migration against). Written whole on every
// transition and every few seconds: temp file in the same folder, fsync, rename over the old file,
// fsync the folder, so the file on disk is always one complete save or the one before it.
//
// Where: "ficus-cutover-state.json" in the folder of the audit log (audit_log.path; by default the
// config file's folder).
//
//   {"version": 1, "routes": {"orders": {"progress": {...}, "full_since": "2026-11-25T01:00:00Z"}}}
//
//   CutoverStateFile file(state_file_path_for(config));
//   auto loaded = file.load();                 // empty state when the file does not exist
//   loaded.state.routes["orders"].full_since = std::chrono::system_clock::now();
//   if (auto error = file.save(loaded.state); !error.empty()) spdlog::error("{}", error);
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "config/proxy_config.h"
#include "cutover/ramp_progress.h"

namespace ficus::cutover {

struct SavedRoute {
  std::optional<RampProgress> progress;  // nullopt: the route has no plan (or never had one)
  std::optional<std::chrono::system_clock::time_point> full_since;
};

struct SavedState {
  std::map<std::string, SavedRoute, std::less<>> routes;
};

struct LoadedState {
  SavedState state;
  std::string error;  // non-empty: the file exists but could not be read; `state` is empty
};

// "ficus-cutover-state.json" next to the config's audit log.
std::filesystem::path state_file_path_for(const config::ProxyConfig& config);

// "2026-11-25T01:00:00Z" (whole seconds, UTC) and back; nullopt when `text` is not such a time.
std::string utc_timestamp(std::chrono::system_clock::time_point time);
std::optional<std::chrono::system_clock::time_point> parse_utc_timestamp(const std::string& text);

class CutoverStateFile {
 public:
  explicit CutoverStateFile(std::filesystem::path path) : path_(std::move(path)) {}

  const std::filesystem::path& path() const { return path_; }
  LoadedState load() const;
  // "" or why the state could not be made durable (the previous save stays on disk).
  std::string save(const SavedState& state) const;

 private:
  std::filesystem::path path_;
};

}  // namespace ficus::cutover
