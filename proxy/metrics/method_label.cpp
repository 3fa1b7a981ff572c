#include "proxy/metrics/method_label.h"

namespace ficus::proxy::metrics {

std::size_t method_index(std::string_view method) noexcept {
  for (std::size_t i = 0; i < kOtherMethod; ++i) {
    if (kMethodLabels[i] == method) return i;
  }
  return kOtherMethod;
}

}  // namespace ficus::proxy::metrics
