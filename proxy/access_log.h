// AccessLog: one JSON line per request (route, target, status, duration, bytes), to a file or
// stdout.
//
// Workers write concurrently without a user-space lock: the file is opened O_APPEND and each line
// goes out in one write(2), which the kernel appends whole.
#pragma once

#include <string>

#include "proxy/request_context.h"

namespace ficus::proxy {

class AccessLog {
 public:
  AccessLog() = default;
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // "" turns the log off, "-" writes to stdout; returns an error message or "".
  std::string open(const std::string& path);
  bool enabled() const { return fd_ >= 0; }
  void write(const RequestContext& ctx) const;

 private:
  int fd_ = -1;
  bool owns_fd_ = false;
};

}  // namespace ficus::proxy
