#include "flags/evaluator.h"

#include <array>
#include <memory_resource>
#include <string>

namespace ficus::flags {
namespace {

// Big enough for every rule in flagd's conformance suite and typical hand-written rules, so
// they never reach the heap; larger temporaries spill to new/delete.
constexpr std::size_t kArenaBytes = 2048;

Resolution error(const Flag* flag, ErrorCode code, std::string message) {
  Resolution r;
  r.reason = Reason::ERROR;
  r.error_code = code;
  r.error_message = std::move(message);
  if (flag) r.metadata = &flag->metadata;
  return r;
}

Resolution with_variant(const Flag& flag, const Variant& variant, Reason reason) {
  Resolution r;
  r.value = &variant.value;
  r.variant = variant.name;
  r.reason = reason;
  r.metadata = &flag.metadata;
  return r;
}

// No targeting match: the default variant, or no value at all (the caller's code default).
Resolution default_resolution(const Flag& flag, Reason reason_with_default) {
  if (const Variant* v = flag.default_value()) return with_variant(flag, *v, reason_with_default);
  Resolution r;
  r.reason = Reason::DEFAULT;
  r.metadata = &flag.metadata;
  return r;
}

Resolution run_targeting(const Flag& flag, const EvalContext& context) {
  std::array<std::byte, kArenaBytes> buffer;
  std::pmr::monotonic_buffer_resource arena(buffer.data(), buffer.size());
  const Value result = flag.targeting->evaluate(context, flag.key, arena);
  char number[32];
  std::string_view name;
  switch (result.type()) {
    case Value::Type::null:
      return default_resolution(flag, Reason::DEFAULT);
    case Value::Type::string:
      name = result.as_string();
      break;
    case Value::Type::boolean:
      name = result.as_boolean() ? "true" : "false";  // flagd looks booleans up by their text
      break;
    case Value::Type::number:
      name = format_js_number(result.as_number(), number);
      break;
    case Value::Type::array:
    case Value::Type::object:
      return error(&flag, ErrorCode::GENERAL,
                   "targeting of flag \"" + flag.key + "\" returned " + to_json(result).dump() +
                       ", not a variant name");
  }
  if (const Variant* variant = flag.find_variant(name)) {
    return with_variant(flag, *variant, Reason::TARGETING_MATCH);
  }
  return error(&flag, ErrorCode::GENERAL,
               "targeting of flag \"" + flag.key + "\" returned \"" + std::string(name) +
                   "\", which is not one of its variants");
}

}  // namespace

Resolution evaluate_flag(const Flag& flag, const EvalContext& context,
                         std::optional<ValueType> expected) {
  Resolution r;
  if (!flag.enabled) {
    r.reason = Reason::DISABLED;
    r.metadata = &flag.metadata;
    return r;
  }
  if (!flag.targeting_error.empty()) {
    return error(
        &flag, ErrorCode::PARSE_ERROR,
        "targeting of flag \"" + flag.key + "\" cannot be evaluated: " + flag.targeting_error);
  }
  r = flag.targeting ? run_targeting(flag, context) : default_resolution(flag, Reason::STATIC);
  if (expected && r.value && flag.type != *expected) {
    return error(&flag, ErrorCode::TYPE_MISMATCH,
                 "flag \"" + flag.key + "\" has " + std::string(to_string(flag.type)) +
                     " variants, not " + std::string(to_string(*expected)));
  }
  return r;
}

Resolution evaluate(const FlagSet& set, std::string_view flag_key, const EvalContext& context,
                    std::optional<ValueType> expected) {
  const Flag* flag = set.find(flag_key);
  if (flag == nullptr) {
    return error(nullptr, ErrorCode::FLAG_NOT_FOUND,
                 "flag \"" + std::string(flag_key) + "\" not found");
  }
  return evaluate_flag(*flag, context, expected);
}

}  // namespace ficus::flags
