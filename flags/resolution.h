// Resolution: the outcome of evaluating one flag, with reasons and error codes spelled as in
// OFREP / OpenFeature.
//
// `value`, `variant` and `metadata` point into the FlagSet that produced them: keep the
// shared_ptr<const FlagSet> alive while you use a Resolution (the proxy holds it per request).
//
//   ficus::flags::Resolution r = evaluator.evaluate("orders-cutover", context);
//   if (r.value && *r.value == "new") { ... }  // no value: use the code default
//   std::string_view why = ficus::flags::to_string(r.reason);  // "TARGETING_MATCH"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace ficus::flags {

// OpenFeature resolution reasons. The engine produces STATIC (no targeting), TARGETING_MATCH
// (targeting chose a variant, fractional included), DEFAULT (targeting gave null, or there is
// no default variant), DISABLED and ERROR, as flagd does; SPLIT and UNKNOWN exist for OFREP.
enum class Reason : std::uint8_t {
  STATIC,
  TARGETING_MATCH,
  SPLIT,
  DISABLED,
  DEFAULT,
  UNKNOWN,
  ERROR
};

// OpenFeature error codes. TARGETING_KEY_MISSING is never produced by the engine: like flagd,
// a fractional rule without a targeting key falls through to the default variant instead.
enum class ErrorCode : std::uint8_t {
  FLAG_NOT_FOUND,
  PARSE_ERROR,
  TYPE_MISMATCH,
  TARGETING_KEY_MISSING,
  INVALID_CONTEXT,
  GENERAL,
};

std::string_view to_string(Reason reason);
std::string_view to_string(ErrorCode code);

struct Resolution {
  const nlohmann::json* value = nullptr;  // null: no variant applies, use the code default
  std::string_view variant;               // empty when there is no variant
  Reason reason = Reason::UNKNOWN;
  std::optional<ErrorCode> error_code;
  std::string error_message;  // empty unless error_code is set
  const nlohmann::json* metadata =
      nullptr;  // flag-set metadata merged with the flag's; may be null

  bool ok() const { return !error_code.has_value(); }
};

// {"key","value"?,"variant"?,"reason","errorCode"?,"errorMessage"?,"metadata"} for the CLI and
// logs.
nlohmann::json to_json(const Resolution& resolution, std::string_view flag_key);

}  // namespace ficus::flags
