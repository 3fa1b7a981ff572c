#include "flags/flag_set.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace ficus::flags {
namespace {

using nlohmann::json;

bool plain_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '$';
  });
}

// "flags" + "orders-cutover" -> "flags.orders-cutover"; odd keys get ["..."].
std::string child_path(const std::string& parent, std::string_view key) {
  if (plain_key(key)) return parent.empty() ? std::string(key) : parent + "." + std::string(key);
  return parent + "[" + json(std::string(key)).dump() + "]";
}

std::string_view json_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return value.is_number() ? "a number" : "an unsupported value";
  }
}

std::optional<ValueType> variant_type(const json& value) {
  if (value.is_boolean()) return ValueType::boolean;
  if (value.is_string()) return ValueType::string;
  if (value.is_number()) return ValueType::number;
  if (value.is_object()) return ValueType::object;
  return std::nullopt;
}

class SourceParser {
 public:
  SourceParser(std::string_view source_name, const ParseOptions& options)
      : name_(source_name), options_(options) {}

  SourceParse parse(std::string_view text) {
    json document;
    try {
      document = json::parse(text);
    } catch (const json::parse_error& e) {
      // nlohmann's message already says "at line L, column C"; drop its "[json.exception..]" tag.
      std::string what = e.what();
      if (const auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
      error("", "invalid JSON: " + what + "; fix the syntax");
      return finish();
    } catch (const json::out_of_range& e) {
      // A number too large for a double (e.g. 1e999); found by tests/fuzz (flags).
      std::string what = e.what();
      if (const auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
      error("", "invalid JSON: " + what + "; write a number that fits a double");
      return finish();
    }
    if (!document.is_object()) {
      error("", "must be a JSON object with a \"flags\" object (flagd format)");
      return finish();
    }
    ParsedSource source;
    source.name = name_;
    for (const auto& [key, value] : document.items()) {
      if (key != "flags" && key != "$evaluators" && key != "metadata" && key != "$schema") {
        strict_error(key,
                     "unknown top-level key; expected \"flags\", \"$evaluators\", "
                     "\"metadata\" or \"$schema\"");
      }
    }
    const json* evaluators = nullptr;
    if (auto it = document.find("$evaluators"); it != document.end()) {
      if (!it->is_object()) {
        error("$evaluators", "must be an object of named rules");
      } else {
        evaluators = &*it;
        check_evaluators(*it);
      }
    }
    if (auto it = document.find("metadata"); it != document.end()) {
      if (check_metadata(*it, "metadata")) source.metadata = *it;
    }
    const auto flags = document.find("flags");
    if (flags == document.end()) {
      error("flags", "missing; add \"flags\": {\"my-flag\": {...}}");
    } else if (!flags->is_object()) {
      error("flags",
            "must be an object keyed by flag key, not " + std::string(json_type_name(*flags)));
    } else {
      for (const auto& [key, definition] : flags->items()) {
        if (auto flag = parse_flag(key, definition, evaluators, source.metadata)) {
          source.flags.push_back(std::move(*flag));
        }
      }
    }
    if (errors_.empty()) result_.source = std::move(source);
    return finish();
  }

 private:
  std::optional<Flag> parse_flag(const std::string& key, const json& definition,
                                 const json* evaluators, const json& set_metadata) {
    const std::string path = child_path("flags", key);
    const std::size_t errors_before = errors_.size();
    if (key.empty()) error(path, "flag keys must not be empty");
    if (!definition.is_object()) {
      error(path, "must be an object with \"state\" and \"variants\", not " +
                      std::string(json_type_name(definition)));
      return std::nullopt;
    }
    Flag flag;
    flag.key = key;
    flag.source = name_;
    for (const auto& [field, unused] : definition.items()) {
      if (field != "state" && field != "variants" && field != "defaultVariant" &&
          field != "targeting" && field != "metadata") {
        strict_error(child_path(path, field),
                     "unknown key; a flag has \"state\", \"variants\", \"defaultVariant\", "
                     "\"targeting\" and \"metadata\"");
      }
    }

    const auto state = definition.find("state");
    if (state == definition.end()) {
      error(path + ".state", "missing; set it to \"ENABLED\" or \"DISABLED\"");
    } else if (*state == "ENABLED" || *state == "DISABLED") {
      flag.enabled = *state == "ENABLED";
    } else {
      error(path + ".state", "must be \"ENABLED\" or \"DISABLED\", not " + state->dump());
    }

    const auto variants = definition.find("variants");
    if (variants == definition.end() || !variants->is_object() || variants->empty()) {
      error(path + ".variants", "must be a non-empty object");
    } else {
      std::optional<ValueType> first_type;
      for (const auto& [name, value] : variants->items()) {
        const auto type = variant_type(value);
        const std::string variant_path = child_path(path + ".variants", name);
        if (name.empty()) error(variant_path, "variant names must not be empty");
        if (!type) {
          error(variant_path, "must be a boolean, string, number or object, not " +
                                  std::string(json_type_name(value)));
        } else if (!first_type) {
          first_type = type;
        } else if (*type != *first_type) {
          error(variant_path, "is " + std::string(to_string(*type)) + " but the first variant is " +
                                  std::string(to_string(*first_type)) +
                                  "; all variants of a flag must have the same type");
        }
        flag.variants.push_back({name, value});
      }
      if (first_type) flag.type = *first_type;
    }

    // flagd reads "" like null: no default variant, the caller's code default applies.
    if (auto it = definition.find("defaultVariant");
        it != definition.end() && !it->is_null() && *it != "") {
      if (!it->is_string()) {
        error(path + ".defaultVariant", "must be the name of a variant (a string) or null");
      } else if (flag.find_variant(it->get_ref<const std::string&>()) == nullptr) {
        error(path + ".defaultVariant",
              "\"" + it->get<std::string>() +
                  "\" is not a key of \"variants\"; use one of them or null");
      } else {
        flag.default_variant = static_cast<std::size_t>(
            flag.find_variant(it->get_ref<const std::string&>()) - flag.variants.data());
      }
    }

    flag.metadata = set_metadata;
    if (auto it = definition.find("metadata"); it != definition.end()) {
      if (check_metadata(*it, path + ".metadata")) {
        for (const auto& [name, value] : it->items()) flag.metadata[name] = value;
      }
    }

    if (auto it = definition.find("targeting"); it != definition.end() && !it->is_null()) {
      if (!it->is_object()) {
        error(path + ".targeting", "must be a JSON Logic object such as {\"if\": [...]} or {}");
      } else if (!it->empty()) {
        flag.targeting_json = *it;
        compile_targeting(flag, *it, path + ".targeting", evaluators);
      }
    }
    if (errors_.size() != errors_before) return std::nullopt;
    return flag;
  }

  void compile_targeting(Flag& flag, const json& rule, const std::string& path,
                         const json* evaluators) {
    CompileOptions compile_options;
    compile_options.evaluators = evaluators;
    if (!flag.variants.empty()) {
      compile_options.is_variant = [&flag](std::string_view name) {
        return flag.find_variant(name) != nullptr;
      };
    }
    std::vector<JsonPathError> problems;
    flag.targeting = Expression::compile(rule, path, compile_options, problems);
    for (const JsonPathError& problem : problems) {
      if (!problem.strict_only && !options_.strict) {
        flag.targeting_error = problem.path + ": " + problem.message;
      } else if (!problem.strict_only || options_.strict) {
        error(problem.path, problem.message);
      }
    }
  }

  // Compiles each shared rule once on its own, so a mistake in an unused one is still found.
  void check_evaluators(const json& evaluators) {
    if (!options_.strict) return;
    for (const auto& [name, rule] : evaluators.items()) {
      std::vector<JsonPathError> problems;
      CompileOptions compile_options;
      compile_options.evaluators = &evaluators;
      Expression::compile(rule, child_path("$evaluators", name), compile_options, problems);
      for (const JsonPathError& problem : problems) error(problem.path, problem.message);
    }
  }

  bool check_metadata(const json& metadata, const std::string& path) {
    if (!metadata.is_object()) {
      error(path, "must be an object of strings, numbers and booleans");
      return false;
    }
    bool ok = true;
    for (const auto& [name, value] : metadata.items()) {
      if (!value.is_string() && !value.is_number() && !value.is_boolean()) {
        error(child_path(path, name),
              "must be a string, number or boolean, not " + std::string(json_type_name(value)));
        ok = false;
      }
    }
    return ok;
  }

  void error(std::string path, std::string message) {
    // One shared $evaluators rule used by many flags reports its error once.
    for (const FlagError& e : errors_) {
      if (e.path == path && e.message == message) return;
    }
    errors_.push_back({name_, std::move(path), std::move(message)});
  }
  void strict_error(std::string path, std::string message) {
    if (options_.strict) error(std::move(path), std::move(message));
  }

  SourceParse finish() {
    result_.errors = std::move(errors_);
    if (!result_.errors.empty()) result_.source.reset();
    return std::move(result_);
  }

  std::string name_;
  const ParseOptions& options_;
  std::vector<FlagError> errors_;
  SourceParse result_;
};

}  // namespace

std::string_view to_string(ValueType type) {
  switch (type) {
    case ValueType::boolean:
      return "boolean";
    case ValueType::string:
      return "string";
    case ValueType::number:
      return "number";
    case ValueType::object:
      return "object";
  }
  return "unknown";
}

const Variant* Flag::find_variant(std::string_view name) const {
  for (const Variant& v : variants) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

std::string FlagError::to_string() const {
  std::string text = source;
  if (!path.empty()) text += (text.empty() ? "" : ": ") + path;
  return text + (text.empty() ? "" : ": ") + message;
}

FlagSet::FlagSet(std::vector<ParsedSource> sources) {
  for (ParsedSource& source : sources) {
    for (const auto& [name, value] : source.metadata.items()) metadata_[name] = value;
    for (Flag& flag : source.flags) {
      const auto [it, inserted] = index_.try_emplace(flag.key, flags_.size());
      if (inserted) {
        flags_.push_back(std::move(flag));
      } else {
        flags_[it->second] = std::move(flag);  // a later source wins
      }
    }
  }
  std::sort(flags_.begin(), flags_.end(),
            [](const Flag& a, const Flag& b) { return a.key < b.key; });
  for (std::size_t i = 0; i < flags_.size(); ++i) index_[flags_[i].key] = i;
}

const Flag* FlagSet::find(std::string_view key) const {
  const auto it = index_.find(key);
  return it == index_.end() ? nullptr : &flags_[it->second];
}

SourceParse parse_flag_source(std::string_view json_text, std::string_view source_name,
                              const ParseOptions& options) {
  return SourceParser(source_name, options).parse(json_text);
}

std::optional<std::string> source_path(std::string_view source) {
  if (source.starts_with("file:")) return std::string(source.substr(5));
  if (source.find(':') != std::string_view::npos && source.find('/') > source.find(':')) {
    return std::nullopt;  // "http://..." and other schemes
  }
  return std::string(source);
}

FlagSetLoad load_flag_sources(const std::vector<std::string>& sources,
                              const ParseOptions& options) {
  FlagSetLoad load;
  std::vector<ParsedSource> parsed;
  for (const std::string& source : sources) {
    const auto path = source_path(source);
    if (!path || path->empty()) {
      load.errors.push_back({source, "", "unsupported flag source; use file:/path/to/flags.json"});
      continue;
    }
    std::ifstream in(*path, std::ios::binary);
    if (!in) {
      load.errors.push_back(
          {*path, "", "cannot be read; check that the file exists and is readable"});
      continue;
    }
    std::ostringstream text;
    text << in.rdbuf();
    load.texts.push_back(text.str());
    SourceParse one = parse_flag_source(load.texts.back(), *path, options);
    if (!one.ok()) {
      load.errors.insert(load.errors.end(), one.errors.begin(), one.errors.end());
      continue;
    }
    parsed.push_back(std::move(*one.source));
  }
  if (load.ok()) load.set = std::make_shared<const FlagSet>(std::move(parsed));
  return load;
}

}  // namespace ficus::flags
