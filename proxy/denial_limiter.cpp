#include "proxy/denial_limiter.h"

#include <utility>

namespace ficus::proxy {

DenialLimiter::Admission DenialLimiter::admit(std::uint64_t max_recorded) {
  Admission admission;
  if (!open_) {
    open_ = true;
    admission.opened_window = true;
  }
  if (recorded_ < max_recorded) {
    ++recorded_;
    admission.record = true;
  } else {
    ++suppressed_;
  }
  return admission;
}

std::uint64_t DenialLimiter::close_window() {
  open_ = false;
  recorded_ = 0;
  return std::exchange(suppressed_, 0);
}

}  // namespace ficus::proxy
