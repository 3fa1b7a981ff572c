// starts_with / ends_with: flagd's string prefix and suffix operators.
//
// Both take exactly two arguments that must already be strings; anything else (a number, a
// missing attribute, the wrong count) gives null, so the flag falls through to its default
// variant instead of matching by accident. This mirrors flagd's string_comparison.go.
//
//   {"starts_with": [{"var": "email"}, "admin@"]}
//   Value v = ficus::flags::ops::starts_with(args);  // true, false or null
#pragma once

#include <span>

#include "flags/value.h"

namespace ficus::flags::ops {

Value starts_with(std::span<const Value> args);
Value ends_with(std::span<const Value> args);

}  // namespace ficus::flags::ops
