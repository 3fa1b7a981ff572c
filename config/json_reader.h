// Helpers for reading a parsed JSON config while collecting every error with its JSON path.
//
// The schema code in config_schema.cpp reads each object through an ObjectReader, which reports
// keys it does not know (with a "did you mean") and type/range problems, and never stops at the
// first error. Missing optional keys leave the caller's default untouched.
//
//   ErrorList errors{"ficus.json"};
//   ObjectReader pool{json["pool"], "upstreams.legacy.pool", {"max_idle", "idle_timeout_ms"},
//   errors}; pool.read_uint("max_idle", settings.max_idle, 1, 1'000'000);
//   pool.read_millis("idle_timeout_ms", settings.idle_timeout, 1, kMaxMillis);
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config_error.h"

namespace ficus::config {

// Errors for one file, in the order found.
class ErrorList {
 public:
  explicit ErrorList(std::string file) : file_(std::move(file)) {}
  void add(std::string path, std::string message);
  void add_at(std::size_t line, std::size_t column, std::string message);
  bool empty() const { return errors_.empty(); }
  std::vector<ConfigError> take() { return std::move(errors_); }

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
};

// `parent.key` (or `parent["odd key"]` when the key would not read back unambiguously).
std::string child_path(std::string_view parent, std::string_view key);
// `parent[index]`.
std::string index_path(std::string_view parent, std::size_t index);

// A short, quoted rendering of a JSON value for messages: `string "15s"`, `number -1`, `an array`.
std::string describe(const nlohmann::json& value);

// Whole-number readers for values outside objects (array elements). Report and return nullopt
// when `value` is not an integer in [min, max].
std::optional<std::uint64_t> expect_uint(const nlohmann::json& value, const std::string& path,
                                         std::uint64_t min, std::uint64_t max, ErrorList& errors);
std::optional<std::string> expect_string(const nlohmann::json& value, const std::string& path,
                                         ErrorList& errors);

// Reads the keys of one JSON object. Construction reports a non-object value and every key outside
// `known`; the read_* functions then report wrong types, out-of-range values and missing required
// keys. Each returns true only when the key was present and valid (and then `out` was assigned).
class ObjectReader {
 public:
  ObjectReader(const nlohmann::json& value, std::string path,
               std::initializer_list<std::string_view> known, ErrorList& errors);

  bool is_object() const { return object_ != nullptr; }
  const std::string& path() const { return path_; }
  std::string path_of(std::string_view key) const { return child_path(path_, key); }
  ErrorList& errors() const { return errors_; }

  // The value under `key`, or nullptr when absent (or when this is not an object).
  const nlohmann::json* find(std::string_view key) const;
  // Reports `key` as missing (with `hint`, which says what to put there) unless present.
  bool require(std::string_view key, std::string_view hint) const;

  bool read_string(std::string_view key, std::string& out) const;
  bool read_bool(std::string_view key, bool& out) const;
  bool read_uint(std::string_view key, std::uint64_t& out, std::uint64_t min,
                 std::uint64_t max) const;
  // Convenience for narrower unsigned fields: the range must fit in T.
  template <typename T>
  bool read_uint(std::string_view key, T& out, std::uint64_t min, std::uint64_t max) const {
    static_assert(std::is_unsigned_v<T>);
    std::uint64_t wide = 0;
    if (!read_uint(key, wide, min, std::min<std::uint64_t>(max, std::numeric_limits<T>::max()))) {
      return false;
    }
    out = static_cast<T>(wide);
    return true;
  }
  bool read_millis(std::string_view key, std::chrono::milliseconds& out, std::uint64_t min,
                   std::uint64_t max) const;
  bool read_millis(std::string_view key, std::optional<std::chrono::milliseconds>& out,
                   std::uint64_t min, std::uint64_t max) const;

 private:
  const nlohmann::json* object_ = nullptr;
  std::string path_;
  ErrorList& errors_;
};

}  // namespace ficus::config
