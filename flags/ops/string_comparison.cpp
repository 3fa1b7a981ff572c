#include "flags/ops/string_comparison.h"

namespace ficus::flags::ops {
namespace {

template <typename Test>
Value compare_strings(std::span<const Value> args, Test test) {
  if (args.size() != 2 || !args[0].is_string() || !args[1].is_string()) return Value();
  return Value::boolean(test(args[0].as_string(), args[1].as_string()));
}

}  // namespace

Value starts_with(std::span<const Value> args) {
  return compare_strings(args,
                         [](std::string_view s, std::string_view p) { return s.starts_with(p); });
}

Value ends_with(std::span<const Value> args) {
  return compare_strings(args,
                         [](std::string_view s, std::string_view p) { return s.ends_with(p); });
}

}  // namespace ficus::flags::ops
