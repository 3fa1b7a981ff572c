// RequestLog: the thread-safe list of RecordedRequests behind TestUpstream::requests(); sessions on
// any server thread append, test threads read or wait.
//
//   log.record(std::move(request));                     // from a session
//   bool arrived = log.wait_for(2, std::chrono::seconds(5));   // from the test
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

#include "tests/support/upstream/recorded_request.h"

namespace ficus::testing {

class RequestLog {
 public:
  void record(RecordedRequest request);
  std::vector<RecordedRequest> snapshot() const;
  void clear();
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable recorded_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace ficus::testing
