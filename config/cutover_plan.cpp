#include "config/cutover_plan.h"

namespace ficus::config {

std::string_view to_string(CutoverPlan::OnFailure on_failure) {
  switch (on_failure) {
    case CutoverPlan::OnFailure::pause:
      return "pause";
    case CutoverPlan::OnFailure::rollback:
      break;
  }
  return "rollback";
}

}  // namespace ficus::config
