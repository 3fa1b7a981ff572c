// Value: one JSON Logic value while targeting runs, cheap to copy and never owning memory.
//
// Strings and arrays point into the compiled rule, the evaluation context or the per-evaluation
// arena, so evaluating a rule allocates nothing on the heap unless the arena's stack buffer runs
// out. Objects are only ever read, so they stay nlohmann::json nodes owned by the context or rule.
// The coercions (truthy, loose ==, <, String(x), Number(x)) follow JavaScript, as json-logic-js
// does, so rules behave the same here as in flagd and the OpenFeature SDKs.
//
//   ficus::flags::Value v = ficus::flags::Value::string("42");
//   bool same = ficus::flags::loose_equals(v, ficus::flags::Value::number(42));  // true, as JS ==
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace ficus::flags {

// Per-evaluation scratch memory: a monotonic resource over a stack buffer (see Evaluator).
using Arena = std::pmr::memory_resource;

class Value {
 public:
  enum class Type : std::uint8_t { null, boolean, number, string, array, object };

  constexpr Value() = default;
  static constexpr Value boolean(bool b) {
    Value v;
    v.type_ = Type::boolean;
    v.boolean_ = b;
    return v;
  }
  static constexpr Value number(double n) {
    Value v;
    v.type_ = Type::number;
    v.number_ = n;
    return v;
  }
  static constexpr Value string(std::string_view s) {
    Value v;
    v.type_ = Type::string;
    v.pointer_ = s.data();
    v.size_ = s.size();
    return v;
  }
  static constexpr Value array(std::span<const Value> items) {
    Value v;
    v.type_ = Type::array;
    v.pointer_ = items.data();
    v.size_ = items.size();
    return v;
  }
  // `object` must be a JSON object that outlives the evaluation.
  static Value object(const nlohmann::json& object);
  // Converts a JSON node; arrays are copied into `arena` as Values, strings and objects borrowed.
  static Value from_json(const nlohmann::json& json, Arena& arena);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::null; }
  bool is_string() const { return type_ == Type::string; }
  bool is_number() const { return type_ == Type::number; }
  bool is_array() const { return type_ == Type::array; }

  bool as_boolean() const { return boolean_; }
  double as_number() const { return number_; }
  std::string_view as_string() const { return {static_cast<const char*>(pointer_), size_}; }
  std::span<const Value> as_array() const { return {static_cast<const Value*>(pointer_), size_}; }
  const nlohmann::json& as_object() const { return *static_cast<const nlohmann::json*>(pointer_); }

 private:
  Type type_ = Type::null;
  bool boolean_ = false;
  double number_ = 0;
  const void* pointer_ = nullptr;
  std::size_t size_ = 0;
};

// Copies `text` into the arena and returns a view of the copy.
std::string_view arena_string(Arena& arena, std::string_view text);
// Allocates `count` null Values in the arena.
std::span<Value> arena_values(Arena& arena, std::size_t count);

// JavaScript semantics, as json-logic-js applies them.
bool truthy(const Value& v);         // [] is false, as json-logic-js says
double to_number(const Value& v);    // Number(v): "" -> 0, "x" -> NaN
double parse_float(const Value& v);  // parseFloat(v): "12px" -> 12, null -> NaN
std::string_view to_js_string(const Value& v, Arena& arena);  // String(v): 1 -> "1", null -> "null"
bool loose_equals(const Value& a, const Value& b);            // ==
bool strict_equals(const Value& a, const Value& b);           // ===
// a < b after JS coercion: nullopt when either side is NaN (every comparison is then false).
std::optional<int> js_compare(const Value& a, const Value& b, Arena& arena);

// Shortest round-trip text of `n` as JavaScript's Number#toString writes it, into `out`
// (at least 32 bytes). Returns the used part.
std::string_view format_js_number(double n, char* out);

// Converts back to JSON (for targeting results that are objects and for tests).
nlohmann::json to_json(const Value& v);

}  // namespace ficus::flags
