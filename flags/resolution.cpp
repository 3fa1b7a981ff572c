#include "flags/resolution.h"

#include <nlohmann/json.hpp>

namespace ficus::flags {

std::string_view to_string(Reason reason) {
  switch (reason) {
    case Reason::STATIC:
      return "STATIC";
    case Reason::TARGETING_MATCH:
      return "TARGETING_MATCH";
    case Reason::SPLIT:
      return "SPLIT";
    case Reason::DISABLED:
      return "DISABLED";
    case Reason::DEFAULT:
      return "DEFAULT";
    case Reason::UNKNOWN:
      return "UNKNOWN";
    case Reason::ERROR:
      return "ERROR";
  }
  return "UNKNOWN";
}

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::FLAG_NOT_FOUND:
      return "FLAG_NOT_FOUND";
    case ErrorCode::PARSE_ERROR:
      return "PARSE_ERROR";
    case ErrorCode::TYPE_MISMATCH:
      return "TYPE_MISMATCH";
    case ErrorCode::TARGETING_KEY_MISSING:
      return "TARGETING_KEY_MISSING";
    case ErrorCode::INVALID_CONTEXT:
      return "INVALID_CONTEXT";
    case ErrorCode::GENERAL:
      return "GENERAL";
  }
  return "GENERAL";
}

nlohmann::json to_json(const Resolution& resolution, std::string_view flag_key) {
  nlohmann::json out = {{"key", flag_key}};
  if (resolution.value) out["value"] = *resolution.value;
  if (!resolution.variant.empty()) out["variant"] = resolution.variant;
  out["reason"] = to_string(resolution.reason);
  if (resolution.error_code) {
    out["errorCode"] = to_string(*resolution.error_code);
    out["errorMessage"] = resolution.error_message;
  }
  out["metadata"] = resolution.metadata ? *resolution.metadata : nlohmann::json::object();
  return out;
}

}  // namespace ficus::flags
