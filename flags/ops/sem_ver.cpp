#include "flags/ops/sem_ver.h"

#include <algorithm>
#include <array>

namespace ficus::flags::ops {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_identifier_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

// Reads a numeric component; leading zeros are not allowed ("01").
std::optional<std::string_view> take_number(std::string_view& rest) {
  std::size_t n = 0;
  while (n < rest.size() && is_digit(rest[n])) ++n;
  if (n == 0 || (n > 1 && rest[0] == '0')) return std::nullopt;
  std::string_view number = rest.substr(0, n);
  rest.remove_prefix(n);
  return number;
}

// Dot-separated, non-empty identifiers of [0-9A-Za-z-]; numeric pre-release identifiers may
// not have leading zeros.
bool valid_identifiers(std::string_view s, bool numeric_rule) {
  if (s.empty()) return false;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view id = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (id.empty() || !std::all_of(id.begin(), id.end(), is_identifier_char)) return false;
    if (numeric_rule && id.size() > 1 && id[0] == '0' &&
        std::all_of(id.begin(), id.end(), is_digit)) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

int compare_numbers(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

int compare_prerelease(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  if (a.empty()) return 1;  // a release sorts after its pre-releases
  if (b.empty()) return -1;
  while (true) {
    const std::size_t da = a.find('.');
    const std::size_t db = b.find('.');
    const std::string_view ia = a.substr(0, da);
    const std::string_view ib = b.substr(0, db);
    const bool na = std::all_of(ia.begin(), ia.end(), is_digit);
    const bool nb = std::all_of(ib.begin(), ib.end(), is_digit);
    int c = 0;
    if (na && nb) {
      c = compare_numbers(ia, ib);
    } else if (na != nb) {
      c = na ? -1 : 1;  // numeric identifiers sort first
    } else {
      c = ia.compare(ib) < 0 ? -1 : ia.compare(ib) > 0 ? 1 : 0;
    }
    if (c != 0) return c;
    if (da == std::string_view::npos || db == std::string_view::npos) {
      if (da == db) return 0;
      return da == std::string_view::npos ? -1 : 1;  // fewer identifiers sort first
    }
    a.remove_prefix(da + 1);
    b.remove_prefix(db + 1);
  }
}

std::string_view version_text(const Value& v, Arena& arena) {
  if (v.is_string()) return v.as_string();
  if (v.is_null()) return "<nil>";  // what flagd's fmt.Sprintf("%v", nil) gives: never valid
  return to_js_string(v, arena);
}

}  // namespace

std::optional<SemVer> parse_sem_ver(std::string_view text) {
  if (!text.empty() && (text[0] == 'v' || text[0] == 'V')) text.remove_prefix(1);
  SemVer version;
  std::string_view rest = text;
  auto major = take_number(rest);
  if (!major) return std::nullopt;
  version.major = *major;
  version.minor = version.patch = "0";
  if (rest.empty()) return version;
  if (rest[0] != '.') return std::nullopt;
  rest.remove_prefix(1);
  auto minor = take_number(rest);
  if (!minor) return std::nullopt;
  version.minor = *minor;
  if (rest.empty()) return version;
  if (rest[0] != '.') return std::nullopt;
  rest.remove_prefix(1);
  auto patch = take_number(rest);
  if (!patch) return std::nullopt;
  version.patch = *patch;
  if (!rest.empty() && rest[0] == '-') {
    const std::size_t end = rest.find('+');
    version.prerelease = rest.substr(1, end == std::string_view::npos ? end : end - 1);
    if (!valid_identifiers(version.prerelease, /*numeric_rule=*/true)) return std::nullopt;
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  if (!rest.empty() && rest[0] == '+') {
    if (!valid_identifiers(rest.substr(1), /*numeric_rule=*/false)) return std::nullopt;
    rest = {};
  }
  if (!rest.empty()) return std::nullopt;
  return version;
}

int compare_sem_ver(const SemVer& a, const SemVer& b) {
  if (int c = compare_numbers(a.major, b.major)) return c;
  if (int c = compare_numbers(a.minor, b.minor)) return c;
  if (int c = compare_numbers(a.patch, b.patch)) return c;
  return compare_prerelease(a.prerelease, b.prerelease);
}

bool is_sem_ver_operator(std::string_view op) {
  static constexpr std::array<std::string_view, 8> kOperators{
      "=", "!=", "<", "<=", ">", ">=", "^", "~"};
  return std::find(kOperators.begin(), kOperators.end(), op) != kOperators.end();
}

Value sem_ver(std::span<const Value> args, Arena& arena) {
  if (args.size() != 3 || !args[1].is_string()) return Value();
  const auto actual = parse_sem_ver(version_text(args[0], arena));
  const auto target = parse_sem_ver(version_text(args[2], arena));
  if (!actual || !target) return Value();
  const std::string_view op = args[1].as_string();
  const int c = compare_sem_ver(*actual, *target);
  if (op == "=") return Value::boolean(c == 0);
  if (op == "!=") return Value::boolean(c != 0);
  if (op == "<") return Value::boolean(c < 0);
  if (op == "<=") return Value::boolean(c <= 0);
  if (op == ">") return Value::boolean(c > 0);
  if (op == ">=") return Value::boolean(c >= 0);
  if (op == "^") return Value::boolean(compare_numbers(actual->major, target->major) == 0);
  if (op == "~") {
    return Value::boolean(compare_numbers(actual->major, target->major) == 0 &&
                          compare_numbers(actual->minor, target->minor) == 0);
  }
  return Value();  // unknown operator
}

}  // namespace ficus::flags::ops
