#include "tests/support/upstream/request_log.h"

#include <utility>

namespace ficus::testing {

void RequestLog::record(RecordedRequest request) {
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }
  recorded_.notify_all();
}

std::vector<RecordedRequest> RequestLog::snapshot() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void RequestLog::clear() {
  std::lock_guard lock(mutex_);
  requests_.clear();
}

bool RequestLog::wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return recorded_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
}

}  // namespace ficus::testing
