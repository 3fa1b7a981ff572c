#include "flags/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

namespace ficus::flags {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool is_js_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_js_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_js_space(s.back())) s.remove_suffix(1);
  return s;
}

// std::from_chars also reads "inf" and "nan", which JavaScript does not.
bool starts_with_inf_or_nan(std::string_view s) {
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  if (s.empty()) return false;
  const char c = static_cast<char>(s.front() | 0x20);
  return c == 'i' || c == 'n';
}

// Parses the longest decimal prefix as parseFloat does; `whole` demands the whole text.
std::optional<double> parse_decimal(std::string_view s, bool whole) {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.starts_with("Infinity")) {
    if (whole && s.size() != 8) return std::nullopt;
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (s.empty() || s.front() == '-' || s.front() == '+' || starts_with_inf_or_nan(s)) {
    return std::nullopt;
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::invalid_argument) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // from_chars refuses to round; JavaScript gives +-Infinity or 0, which strtod also does.
    value = std::strtod(std::string(s.data(), end).c_str(), nullptr);
  }
  if (whole && end != s.data() + s.size()) return std::nullopt;
  return negative ? -value : value;
}

double string_to_number(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.empty()) return 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] | 0x20) != '.') {
    const char kind = static_cast<char>(s[1] | 0x20);
    const int base = kind == 'x' ? 16 : kind == 'o' ? 8 : kind == 'b' ? 2 : 0;
    if (base != 0) {
      double value = 0;
      for (char c : s.substr(2)) {
        int digit = -1;
        if (c >= '0' && c <= '9') digit = c - '0';
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') digit = (c | 0x20) - 'a' + 10;
        if (digit < 0 || digit >= base) return kNaN;
        value = value * base + digit;
      }
      return value;
    }
  }
  return parse_decimal(s, /*whole=*/true).value_or(kNaN);
}

std::string_view join_array(const Value& v, Arena& arena);

std::string_view primitive_string(const Value& v, Arena& arena) {
  // ToPrimitive for arrays and objects, as the relational and equality operators apply it.
  if (v.type() == Value::Type::array) return join_array(v, arena);
  return "[object Object]";
}

std::string_view join_array(const Value& v, Arena& arena) {
  std::pmr::string joined(&arena);
  bool first = true;
  for (const Value& item : v.as_array()) {
    if (!first) joined += ',';
    first = false;
    if (!item.is_null()) joined += to_js_string(item, arena);
  }
  return arena_string(arena, joined);
}

}  // namespace

Value Value::object(const nlohmann::json& object) {
  Value v;
  v.type_ = Type::object;
  v.pointer_ = &object;
  return v;
}

Value Value::from_json(const nlohmann::json& json, Arena& arena) {
  switch (json.type()) {
    case nlohmann::json::value_t::boolean:
      return boolean(json.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return number(static_cast<double>(json.get<std::int64_t>()));
    case nlohmann::json::value_t::number_unsigned:
      return number(static_cast<double>(json.get<std::uint64_t>()));
    case nlohmann::json::value_t::number_float:
      return number(json.get<double>());
    case nlohmann::json::value_t::string:
      return string(json.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      std::span<Value> items = arena_values(arena, json.size());
      std::size_t i = 0;
      for (const auto& element : json) items[i++] = from_json(element, arena);
      return array(items);
    }
    case nlohmann::json::value_t::object:
      return object(json);
    default:
      return Value();
  }
}

std::string_view arena_string(Arena& arena, std::string_view text) {
  if (text.empty()) return {};
  auto* copy = static_cast<char*>(arena.allocate(text.size(), 1));
  std::memcpy(copy, text.data(), text.size());
  return {copy, text.size()};
}

std::span<Value> arena_values(Arena& arena, std::size_t count) {
  if (count == 0) return {};
  auto* items = static_cast<Value*>(arena.allocate(count * sizeof(Value), alignof(Value)));
  std::uninitialized_default_construct_n(items, count);
  return {items, count};
}

bool truthy(const Value& v) {
  switch (v.type()) {
    case Value::Type::null:
      return false;
    case Value::Type::boolean:
      return v.as_boolean();
    case Value::Type::number:
      return v.as_number() != 0 && !std::isnan(v.as_number());
    case Value::Type::string:
      return !v.as_string().empty();
    case Value::Type::array:
      return !v.as_array().empty();
    case Value::Type::object:
      return true;
  }
  return false;
}

double to_number(const Value& v) {
  switch (v.type()) {
    case Value::Type::null:
      return 0;
    case Value::Type::boolean:
      return v.as_boolean() ? 1 : 0;
    case Value::Type::number:
      return v.as_number();
    case Value::Type::string:
      return string_to_number(v.as_string());
    case Value::Type::array: {
      std::byte buffer[256];
      std::pmr::monotonic_buffer_resource scratch(buffer, sizeof buffer);
      return string_to_number(join_array(v, scratch));  // [5] -> "5" -> 5, [1,2] -> NaN
    }
    case Value::Type::object:
      return kNaN;
  }
  return kNaN;
}

double parse_float(const Value& v) {
  switch (v.type()) {
    case Value::Type::number:
      return v.as_number();
    case Value::Type::string: {
      std::string_view s = v.as_string();
      while (!s.empty() && is_js_space(s.front())) s.remove_prefix(1);
      return parse_decimal(s, /*whole=*/false).value_or(kNaN);
    }
    case Value::Type::array:
      // parseFloat(String([..])): the first element decides.
      return v.as_array().empty() ? kNaN : parse_float(v.as_array()[0]);
    default:
      return kNaN;
  }
}

std::string_view format_js_number(double n, char* out) {
  if (std::isnan(n)) return "NaN";
  if (std::isinf(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (n == 0) return "0";
  char sci[32];
  const auto [sci_end, ec] = std::to_chars(sci, sci + sizeof sci, n, std::chars_format::scientific);
  (void)ec;
  // sci is "-d.ddde+XX": collect the digits and the decimal exponent.
  const char* p = sci;
  char* o = out;
  if (*p == '-') {
    *o++ = '-';
    ++p;
  }
  char digits[20];
  int k = 0;
  for (; p != sci_end && *p != 'e'; ++p) {
    if (*p != '.') digits[k++] = *p;
  }
  int exponent = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), sci_end, exponent);
  const int point = exponent + 1;  // the "n" of ECMAScript Number::toString
  if (k <= point && point <= 21) {
    o = std::copy(digits, digits + k, o);
    o = std::fill_n(o, point - k, '0');
  } else if (0 < point && point <= 21) {
    o = std::copy(digits, digits + point, o);
    *o++ = '.';
    o = std::copy(digits + point, digits + k, o);
  } else if (-6 < point && point <= 0) {
    *o++ = '0';
    *o++ = '.';
    o = std::fill_n(o, -point, '0');
    o = std::copy(digits, digits + k, o);
  } else {
    *o++ = digits[0];
    if (k > 1) {
      *o++ = '.';
      o = std::copy(digits + 1, digits + k, o);
    }
    *o++ = 'e';
    *o++ = point - 1 < 0 ? '-' : '+';
    o = std::to_chars(o, out + 32, std::abs(point - 1)).ptr;
  }
  return {out, static_cast<std::size_t>(o - out)};
}

std::string_view to_js_string(const Value& v, Arena& arena) {
  switch (v.type()) {
    case Value::Type::null:
      return "null";
    case Value::Type::boolean:
      return v.as_boolean() ? "true" : "false";
    case Value::Type::number: {
      char buffer[32];
      return arena_string(arena, format_js_number(v.as_number(), buffer));
    }
    case Value::Type::string:
      return v.as_string();
    case Value::Type::array:
    case Value::Type::object:
      return primitive_string(v, arena);
  }
  return "";
}

bool strict_equals(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case Value::Type::null:
      return true;
    case Value::Type::boolean:
      return a.as_boolean() == b.as_boolean();
    case Value::Type::number:
      return a.as_number() == b.as_number();
    case Value::Type::string:
      return a.as_string() == b.as_string();
    case Value::Type::array:
      return a.as_array().data() == b.as_array().data() &&
             a.as_array().size() == b.as_array().size();
    case Value::Type::object:
      return &a.as_object() == &b.as_object();
  }
  return false;
}

bool loose_equals(const Value& a, const Value& b) {
  using T = Value::Type;
  if (a.type() == b.type()) return strict_equals(a, b);
  if (a.is_null() || b.is_null()) return false;
  if (a.type() == T::boolean) return loose_equals(Value::number(a.as_boolean() ? 1 : 0), b);
  if (b.type() == T::boolean) return loose_equals(a, Value::number(b.as_boolean() ? 1 : 0));
  if (a.is_number() && b.is_string()) return a.as_number() == string_to_number(b.as_string());
  if (a.is_string() && b.is_number()) return string_to_number(a.as_string()) == b.as_number();
  const bool a_composite = a.type() == T::array || a.type() == T::object;
  const bool b_composite = b.type() == T::array || b.type() == T::object;
  if (a_composite && b_composite) return false;  // different kinds of object are never ==
  // One side is an array or object: compare its primitive (string) form.
  std::byte buffer[256];
  std::pmr::monotonic_buffer_resource scratch(buffer, sizeof buffer);
  if (a_composite) return loose_equals(Value::string(primitive_string(a, scratch)), b);
  return loose_equals(a, Value::string(primitive_string(b, scratch)));
}

std::optional<int> js_compare(const Value& a, const Value& b, Arena& arena) {
  auto primitive = [&](const Value& v) {
    if (v.type() == Value::Type::array || v.type() == Value::Type::object) {
      return Value::string(primitive_string(v, arena));
    }
    return v;
  };
  const Value pa = primitive(a);
  const Value pb = primitive(b);
  if (pa.is_string() && pb.is_string()) {
    // UTF-8 byte order equals code point order (JavaScript compares UTF-16 units; the two
    // differ only between astral characters and U+E000..U+FFFF).
    const int c = pa.as_string().compare(pb.as_string());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  const double x = to_number(pa);
  const double y = to_number(pb);
  if (std::isnan(x) || std::isnan(y)) return std::nullopt;
  return x < y ? -1 : x > y ? 1 : 0;
}

nlohmann::json to_json(const Value& v) {
  switch (v.type()) {
    case Value::Type::null:
      return nullptr;
    case Value::Type::boolean:
      return v.as_boolean();
    case Value::Type::number: {
      const double n = v.as_number();
      if (std::isfinite(n) && n == std::floor(n) && std::abs(n) < 9.007199254740992e15) {
        return static_cast<std::int64_t>(n);
      }
      return n;
    }
    case Value::Type::string:
      return std::string(v.as_string());
    case Value::Type::array: {
      nlohmann::json array = nlohmann::json::array();
      for (const Value& item : v.as_array()) array.push_back(to_json(item));
      return array;
    }
    case Value::Type::object:
      return v.as_object();
  }
  return nullptr;
}

}  // namespace ficus::flags
