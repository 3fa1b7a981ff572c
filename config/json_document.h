// parse_json_document: JSON text (comments allowed) to nlohmann::json, or errors that say where.
//
// A syntax error is reported with its line and column. Duplicate keys in one object are errors
// too: the JSON library would silently keep the last one, so `"timeout_ms"` written twice would
// quietly lose a value.
//
//   ErrorList errors{"ficus.json"};
//   std::optional<nlohmann::json> doc = parse_json_document(text, errors);
//   if (!doc) return errors.take();
#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/json_reader.h"

namespace ficus::config {

// nullopt when there was a syntax error or a duplicate key (all reported to `errors`).
std::optional<nlohmann::json> parse_json_document(std::string_view text, ErrorList& errors);

}  // namespace ficus::config
