#include "proxy/control/audit_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>

#include <fmt/format.h>

namespace ficus::proxy::control {

nlohmann::json AuditEntry::to_json() const {
  return {{"time", time},
          {"actor", actor},
          {"token", token.empty() ? nlohmann::json(nullptr) : nlohmann::json(token)},
          {"action", action},
          {"route", route},
          {"flag", flag},
          {"before", before},
          {"after", after},
          {"reason", reason}};
}

std::string audit_time_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03}Z", text, millis);
}

AuditLog::AuditLog(std::filesystem::path path) : path_(std::move(path)) {}

std::string AuditLog::append(AuditEntry entry) {
  if (entry.time.empty()) entry.time = audit_time_now();
  // Built as ordered_json so the keys stay in the documented order on disk.
  const nlohmann::ordered_json line = {
      {"time", entry.time},
      {"actor", entry.actor},
      {"token",
       entry.token.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(entry.token)},
      {"action", entry.action},
      {"route", entry.route},
      {"flag", entry.flag},
      {"before", entry.before},
      {"after", entry.after},
      {"reason", entry.reason},
  };
  // Invalid UTF-8 in a header-supplied actor or reason must not make the line unparsable.
  const std::string text =
      line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";

  std::lock_guard lock(mutex_);
  if (path_.has_parent_path()) {
    std::error_code ignored;
    std::filesystem::create_directories(path_.parent_path(), ignored);
  }
  // O_EXCL first: when this append creates the file, the folder's new entry must be fsynced too,
  // or a crash could lose the whole file along with its first entry.
  bool created = true;
  int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  }
  if (fd < 0) return "cannot open audit log " + path_.string() + ": " + std::strerror(errno);
  std::string error;
  // One write() per line: with O_APPEND the kernel places it whole at the end of the file.
  ssize_t written = -1;
  do {
    written = ::write(fd, text.data(), text.size());
  } while (written < 0 && errno == EINTR);
  if (written != static_cast<ssize_t>(text.size())) {
    error = "cannot write audit log " + path_.string() + ": " +
            (written < 0 ? std::strerror(errno) : "short write");
  } else if (::fsync(fd) != 0) {
    error = "cannot fsync audit log " + path_.string() + ": " + std::strerror(errno);
  }
  ::close(fd);
  if (error.empty() && created) {
    const std::filesystem::path dir = path_.has_parent_path() ? path_.parent_path() : ".";
    const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
      error = "cannot fsync the audit log's folder " + dir.string() + ": " + std::strerror(errno);
    }
    if (dir_fd >= 0) ::close(dir_fd);
  }
  return error;
}

std::vector<nlohmann::json> AuditLog::read(const AuditQuery& query) const {
  std::vector<nlohmann::json> entries;
  std::lock_guard lock(mutex_);
  std::ifstream in(path_);
  std::string line;
  while (std::getline(in, line)) {
    auto entry = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!entry.is_object()) continue;
    if (!query.route.empty() && entry.value("route", "") != query.route) continue;
    // Times are fixed-width UTC text, so comparing text compares times, prefixes included.
    if (!query.since.empty() && entry.value("time", "") < query.since) continue;
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace ficus::proxy::control
