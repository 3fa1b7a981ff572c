#include "proxy/access_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

namespace ficus::proxy {

AccessLog::~AccessLog() {
  if (owns_fd_) ::close(fd_);
}

std::string AccessLog::open(const std::string& path) {
  if (owns_fd_) ::close(fd_);
  fd_ = -1;
  owns_fd_ = false;
  if (path.empty()) return {};
  if (path == "-") {
    fd_ = STDOUT_FILENO;
    return {};
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) return "cannot open access log " + path + ": " + std::strerror(errno);
  owns_fd_ = true;
  return {};
}

void AccessLog::write(const RequestContext& ctx) const {
  if (fd_ < 0) return;
  auto elapsed = std::chrono::steady_clock::now() - ctx.start;
  nlohmann::json line = {
      {"time", std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()},
      {"method", ctx.method},
      {"path", ctx.path},
      {"client", ctx.client_ip},
      {"route", ctx.route},
      {"target", to_string(ctx.target)},
      {"upstream", ctx.upstream},
      {"endpoint", ctx.endpoint},
      {"status", ctx.status},
      {"duration_ms", std::chrono::duration<double, std::milli>(elapsed).count()},
      {"request_bytes", ctx.request_bytes},
      {"response_bytes", ctx.response_bytes},
  };
  if (ctx.failure != FailureKind::none) {
    line["failure"] = to_string(ctx.failure);
    line["error"] = ctx.error;
  }
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  // A short write to a regular file or pipe only happens on a full disk; drop the line then.
  [[maybe_unused]] auto written = ::write(fd_, text.data(), text.size());
}

}  // namespace ficus::proxy
