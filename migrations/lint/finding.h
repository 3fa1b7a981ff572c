// One lint finding: which rule, how bad, where, what lock the statement takes and what that does
// to live traffic, and the safe multi-step alternative.
//
//   for (const Finding& f : lint_migration(file, options))
//     fmt::print("{}:{}: {} [{}] {}\n", f.file, f.line, severity_name(f.severity), f.rule,
//     f.message);
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ficus::migrations {

enum class Severity { kWarning, kError };

inline std::string_view severity_name(Severity s) {
  return s == Severity::kError ? "error" : "warning";
}

struct Finding {
  std::string rule;  // stable kebab-case id, e.g. "require-concurrent-index-creation"
  Severity severity = Severity::kError;
  std::string file;
  std::size_t line = 0;
  std::string statement;       // first line of the statement, shortened
  std::string message;         // what is wrong with it
  std::string lock;            // lock it takes, e.g. "SHARE on users"; empty when none matters
  std::string impact;          // what that lock does to live traffic
  std::string fix;             // the safe multi-step alternative
  std::string allowed_reason;  // set when `-- ficus:allow RULE reason` covers it
  bool allowed() const { return !allowed_reason.empty(); }
};

}  // namespace ficus::migrations
