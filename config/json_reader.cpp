#include "config/json_reader.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "config/did_you_mean.h"
#include "config/redaction.h"

namespace ficus::config {
namespace {

using nlohmann::json;

bool is_plain_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string range_text(std::uint64_t min, std::uint64_t max) {
  if (max == std::numeric_limits<std::uint64_t>::max()) return fmt::format("at least {}", min);
  return fmt::format("between {} and {}", min, max);
}

}  // namespace

void ErrorList::add(std::string path, std::string message) {
  errors_.push_back(ConfigError{file_, std::move(path), std::move(message)});
}

void ErrorList::add_at(std::size_t line, std::size_t column, std::string message) {
  errors_.push_back(ConfigError{file_, "", std::move(message), line, column});
}

std::string child_path(std::string_view parent, std::string_view key) {
  if (is_plain_key(key)) {
    return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
  }
  return fmt::format("{}[{}]", parent, json(key).dump());
}

std::string index_path(std::string_view parent, std::size_t index) {
  return fmt::format("{}[{}]", parent, index);
}

std::string describe(const json& value) {
  constexpr std::size_t kMaxShown = 40;
  auto shown = [&](std::string text) {
    if (text.size() > kMaxShown) text = text.substr(0, kMaxShown - 3) + "...";
    return text;
  };
  switch (value.type()) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      // A URL written where something else belongs may carry a password.
      return "string " + shown(json(redact_url_credentials(value.get<std::string>())).dump());
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return value.dump();
    default:
      return "number " + shown(value.dump());
  }
}

std::optional<std::uint64_t> expect_uint(const json& value, const std::string& path,
                                         std::uint64_t min, std::uint64_t max, ErrorList& errors) {
  if (!value.is_number_integer()) {
    errors.add(path, "expected a whole number, got " + describe(value));
    return std::nullopt;
  }
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number >= min && number <= max) return number;
  }
  errors.add(path, fmt::format("must be {}, got {}", range_text(min, max), value.dump()));
  return std::nullopt;
}

std::optional<std::string> expect_string(const json& value, const std::string& path,
                                         ErrorList& errors) {
  if (value.is_string()) return value.get<std::string>();
  errors.add(path, "expected a string, got " + describe(value));
  return std::nullopt;
}

ObjectReader::ObjectReader(const json& value, std::string path,
                           std::initializer_list<std::string_view> known, ErrorList& errors)
    : path_(std::move(path)), errors_(errors) {
  if (!value.is_object()) {
    errors_.add(path_, "expected an object, got " + describe(value));
    return;
  }
  object_ = &value;
  const std::vector<std::string_view> known_keys(known);
  for (const auto& [key, unused] : value.items()) {
    if (std::find(known_keys.begin(), known_keys.end(), key) != known_keys.end()) continue;
    if (auto guess = closest_match(key, known_keys)) {
      errors_.add(path_of(key), fmt::format("unknown key (did you mean \"{}\"?)", *guess));
    } else {
      errors_.add(path_of(key),
                  fmt::format("unknown key (known keys: {})", fmt::join(known_keys, ", ")));
    }
  }
}

const json* ObjectReader::find(std::string_view key) const {
  if (object_ == nullptr) return nullptr;
  auto it = object_->find(key);
  return it == object_->end() ? nullptr : &*it;
}

bool ObjectReader::require(std::string_view key, std::string_view hint) const {
  if (object_ == nullptr || find(key) != nullptr) return true;
  errors_.add(path_of(key), fmt::format("missing required key: {}", hint));
  return false;
}

bool ObjectReader::read_string(std::string_view key, std::string& out) const {
  const json* value = find(key);
  if (value == nullptr) return false;
  auto text = expect_string(*value, path_of(key), errors_);
  if (!text) return false;
  out = std::move(*text);
  return true;
}

bool ObjectReader::read_bool(std::string_view key, bool& out) const {
  const json* value = find(key);
  if (value == nullptr) return false;
  if (!value->is_boolean()) {
    errors_.add(path_of(key), "expected true or false, got " + describe(*value));
    return false;
  }
  out = value->get<bool>();
  return true;
}

bool ObjectReader::read_uint(std::string_view key, std::uint64_t& out, std::uint64_t min,
                             std::uint64_t max) const {
  const json* value = find(key);
  if (value == nullptr) return false;
  auto number = expect_uint(*value, path_of(key), min, max, errors_);
  if (!number) return false;
  out = *number;
  return true;
}

bool ObjectReader::read_millis(std::string_view key, std::chrono::milliseconds& out,
                               std::uint64_t min, std::uint64_t max) const {
  const json* value = find(key);
  if (value == nullptr) return false;
  if (!value->is_number_integer()) {
    // The commonest slip is a duration string such as "15s"; say which unit the key wants.
    errors_.add(path_of(key),
                "expected a whole number of milliseconds (e.g. 15000), got " + describe(*value));
    return false;
  }
  std::uint64_t number = 0;
  if (!read_uint(key, number, min, max)) return false;
  out = std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(number));
  return true;
}

bool ObjectReader::read_millis(std::string_view key, std::optional<std::chrono::milliseconds>& out,
                               std::uint64_t min, std::uint64_t max) const {
  std::chrono::milliseconds value{};
  if (!read_millis(key, value, min, max)) return false;
  out = value;
  return true;
}

}  // namespace ficus::config
