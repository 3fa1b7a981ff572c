// DenialLimiter: keeps refused admin requests (bad token, read-only token on a write) from
// flooding the log and the audit trail.
//
// A window opens at the first refusal and lasts until the owner closes it (the admin server arms a
// timer for `interval`). The first `max_recorded` refusals in a window are recorded in full; the
// rest are only counted, and close_window() returns how many were suppressed, for one summary
// entry. Not thread-safe: the admin server uses it from its one control thread.
//
//   DenialLimiter limiter;
//   auto admission = limiter.admit(10);
//   if (admission.opened_window) arm_timer(60s);          // then:
//   summarise(limiter.close_window()) if (admission.record) log_and_audit(...);
#pragma once

#include <cstdint>

namespace ficus::proxy {

class DenialLimiter {
 public:
  struct Admission {
    bool record = false;         // log and audit this refusal in full; otherwise count it only
    bool opened_window = false;  // this refusal opened a window: the caller arms its end
  };

  Admission admit(std::uint64_t max_recorded);
  // Ends the current window; returns how many refusals it suppressed (0: no summary needed).
  std::uint64_t close_window();
  bool window_open() const { return open_; }

 private:
  bool open_ = false;
  std::uint64_t recorded_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace ficus::proxy
