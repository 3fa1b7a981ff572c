#include "cutover/state_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ficus::cutover {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kFormatVersion = 1;

std::string errno_text() {
  return std::strerror(errno);
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Same steps as the flag file editor's: temp in the same folder (rename is atomic only within one
// file system), fsync, rename, fsync the folder so the rename itself survives a crash.
std::string replace_atomically(const fs::path& file, std::string_view text) {
  static std::atomic<unsigned> counter{0};
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  const fs::path temp = dir / ("." + file.filename().string() + ".tmp-" +
                               std::to_string(::getpid()) + "-" + std::to_string(counter++));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return "cannot create " + temp.string() + ": " + errno_text();
  std::string error;
  if (!write_all(fd, text)) {
    error = "cannot write " + temp.string() + ": " + errno_text();
  } else if (::fsync(fd) != 0) {
    error = "cannot fsync " + temp.string() + ": " + errno_text();
  }
  if (::close(fd) != 0 && error.empty())
    error = "cannot close " + temp.string() + ": " + errno_text();
  if (error.empty() && ::rename(temp.c_str(), file.c_str()) != 0) {
    error = "cannot rename " + temp.string() + " to " + file.string() + ": " + errno_text();
  }
  if (!error.empty()) {
    ::unlink(temp.c_str());
    return error;
  }
  const int folder = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (folder < 0 || ::fsync(folder) != 0) error = "cannot fsync folder " + dir.string();
  if (folder >= 0) ::close(folder);
  return error;
}

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
  return replace_atomically(path_, document.dump(2) + "\n");
}

}  // namespace ficus::cutover
