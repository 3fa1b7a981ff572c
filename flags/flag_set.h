// FlagSet: an immutable, fully validated set of flags in the OpenFeature flagd JSON format.
//
// A flag file is parsed and checked whole, its targeting compiled, before anyone can evaluate
// it; a half-valid set never exists. Errors name the source and the JSON path and say what to
// do (`flags.json: flags.orders-cutover.variants: must be a non-empty object`). Several sources
// merge, the later one winning per flag key. FlagStore publishes FlagSets behind a Snapshot.
//
//   auto loaded = ficus::flags::load_flag_sources({"file:/etc/ficus/flags.json"});
//   if (!loaded.ok()) for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
//   const ficus::flags::Flag* flag = loaded.set->find("orders-cutover");
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "flags/json_logic.h"

namespace ficus::flags {

enum class ValueType : std::uint8_t { boolean, string, number, object };
std::string_view to_string(ValueType type);

struct Variant {
  std::string name;
  nlohmann::json value;
};

struct Flag {
  std::string key;
  bool enabled = true;                         // "state": "ENABLED" | "DISABLED"
  ValueType type = ValueType::boolean;         // the one type every variant has
  std::vector<Variant> variants;               // sorted by name
  std::optional<std::size_t> default_variant;  // index into variants; none: the code default
  std::optional<Expression> targeting;         // none when absent or {}
  nlohmann::json targeting_json;  // as written (with $ref), for audit logs; null if none
  // Lenient loading only: why the targeting did not compile. Evaluation reports PARSE_ERROR.
  std::string targeting_error;
  nlohmann::json metadata = nlohmann::json::object();  // flag-set metadata, then the flag's own
  std::string source;  // the source it came from, e.g. "/etc/ficus/flags.json"

  const Variant* find_variant(std::string_view name) const;
  const Variant* default_value() const {
    return default_variant ? &variants[*default_variant] : nullptr;
  }
};

// A problem in a flag source: where (source, JSON path) and what to do about it.
struct FlagError {
  std::string source;   // file path or other source name
  std::string path;     // JSON path, e.g. "flags.orders-cutover.variants"; empty for the file
  std::string message;  // "must be a non-empty object"
  std::string to_string() const;  // "SOURCE: PATH: MESSAGE"
};

struct ParseOptions {
  // Strict (the default, used by `ficus serve`, `check` and `flags eval`) also rejects what
  // flagd only notices while evaluating: unknown keys, literal results that name no variant,
  // weights that are not integers. Lenient accepts what flagd accepts and reports a targeting
  // that does not compile as PARSE_ERROR when the flag is evaluated.
  bool strict = true;
};

// One parsed source, before merging.
struct ParsedSource {
  std::string name;
  std::vector<Flag> flags;
  nlohmann::json metadata = nlohmann::json::object();
};

class FlagSet {
 public:
  FlagSet() = default;  // no flags
  // Later sources win per flag key; flag-set metadata merges the same way.
  explicit FlagSet(std::vector<ParsedSource> sources);

  const Flag* find(std::string_view key) const;
  const std::vector<Flag>& flags() const { return flags_; }  // sorted by key
  const nlohmann::json& metadata() const { return metadata_; }
  std::size_t size() const { return flags_.size(); }

 private:
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  std::vector<Flag> flags_;
  std::unordered_map<std::string, std::size_t, KeyHash, std::equal_to<>> index_;
  nlohmann::json metadata_ = nlohmann::json::object();
};

struct SourceParse {
  std::optional<ParsedSource> source;
  std::vector<FlagError> errors;
  bool ok() const { return errors.empty(); }
};

// Parses and validates one flag document; every error found is reported, not just the first.
SourceParse parse_flag_source(std::string_view json_text, std::string_view source_name,
                              const ParseOptions& options = {});

struct FlagSetLoad {
  std::shared_ptr<const FlagSet> set;  // null unless ok()
  std::vector<FlagError> errors;
  std::vector<std::string> texts;  // the bytes read from each readable source, in order
  bool ok() const { return errors.empty(); }
};

// Reads "file:PATH" (or plain PATH) sources and merges them, later sources winning per key.
FlagSetLoad load_flag_sources(const std::vector<std::string>& sources,
                              const ParseOptions& options = {});

// "file:/a/b.json" -> "/a/b.json"; nullopt for an unsupported scheme ("http:...").
std::optional<std::string> source_path(std::string_view source);

}  // namespace ficus::flags
