#include "flags/eval_context.h"

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

namespace ficus::flags {

EvalContext EvalContext::from_json(const nlohmann::json& context) {
  EvalContext out;
  if (!context.is_object()) return out;
  out.json_ = &context;
  if (auto it = context.find("targetingKey"); it != context.end() && it->is_string()) {
    out.targeting_key_ = it->get_ref<const std::string&>();
  }
  return out;
}

std::int64_t EvalContext::timestamp() const {
  if (timestamp_) return *timestamp_;
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace ficus::flags
