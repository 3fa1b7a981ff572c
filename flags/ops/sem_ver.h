// sem_ver: flagd's semantic version comparison, `{"sem_ver": [version, operator, version]}`.
//
// Operators: = != < <= > >= and ^ (same major) ~ (same major and minor). Versions may carry a
// `v`/`V` prefix and may be partial ("1" = "1.0.0", "1.2" = "1.2.0"); numbers are read as their
// text (1.2 -> "1.2"). Precedence follows semver.org as Go's golang.org/x/mod/semver implements
// it (which flagd uses): build metadata is ignored, a pre-release sorts before its release.
// Bad input (not a version, unknown operator, wrong argument count) gives null.
//
//   {"sem_ver": [{"var": "app_version"}, ">=", "2.1"]}
//   auto v = ficus::flags::ops::parse_sem_ver("v1.2.3-rc.1+build");
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "flags/value.h"

namespace ficus::flags::ops {

struct SemVer {
  std::string_view major, minor, patch;  // decimal digits without leading zeros
  std::string_view prerelease;           // without the '-'; empty when none
};

// Parses "1", "1.2", "1.2.3", "1.2.3-pre.1+build" with an optional v/V prefix. Partial versions
// may not carry a pre-release or build. The views point into `text`.
std::optional<SemVer> parse_sem_ver(std::string_view text);
// -1, 0 or 1 by semver precedence.
int compare_sem_ver(const SemVer& a, const SemVer& b);
bool is_sem_ver_operator(std::string_view op);

Value sem_ver(std::span<const Value> args, Arena& arena);

}  // namespace ficus::flags::ops
