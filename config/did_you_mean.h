// closest_match: the "did you mean" behind unknown-key errors.
//
// Config typos ("timout_ms", "path_prefx", "timeout" for "timeout_ms") must be reported, not
// silently ignored, and the report is only useful if it names the key that was meant.
//
//   closest_match("timout_ms", {"name", "timeout_ms"});  // "timeout_ms"
//   closest_match("colour", {"name", "timeout_ms"});     // std::nullopt
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace ficus::config {

// The candidate a person most likely meant by `word`: a small edit away (insert, delete, replace
// or swap two neighbours, at most one edit per three letters) or `word` being the start of it.
// nullopt when nothing is close.
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

}  // namespace ficus::config
