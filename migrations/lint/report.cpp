#include "migrations/lint/report.h"

#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ficus::migrations {
namespace {

struct Counts {
  int errors = 0;
  int warnings = 0;
  int allowed = 0;
};

Counts count(const std::vector<Finding>& findings) {
  Counts c;
  for (const Finding& f : findings) {
    if (f.allowed()) {
      ++c.allowed;
    } else if (f.severity == Severity::kError) {
      ++c.errors;
    } else {
      ++c.warnings;
    }
  }
  return c;
}

}  // namespace

std::string format_findings_text(const std::vector<Finding>& findings) {
  std::string out;
  std::string current_file;
  for (const Finding& f : findings) {
    if (f.file != current_file) {
      current_file = f.file;
      out += fmt::format("{}\n", f.file);
    }
    std::string severity = f.allowed() ? "allowed" : std::string(severity_name(f.severity));
    out += fmt::format("  {}:{}: {} [{}] {}\n", f.file, f.line, severity, f.rule, f.message);
    if (!f.statement.empty()) out += fmt::format("      statement: {}\n", f.statement);
    if (!f.lock.empty()) out += fmt::format("      lock: {}: {}\n", f.lock, f.impact);
    if (f.lock.empty() && !f.impact.empty()) out += fmt::format("      impact: {}\n", f.impact);
    if (!f.fix.empty()) out += fmt::format("      safe alternative: {}\n", f.fix);
    if (f.allowed()) out += fmt::format("      allowed: {}\n", f.allowed_reason);
  }
  Counts c = count(findings);
  out += fmt::format("{} error(s), {} warning(s), {} allowed\n", c.errors, c.warnings, c.allowed);
  return out;
}

std::string format_findings_json(const std::vector<Finding>& findings) {
  nlohmann::json files = nlohmann::json::array();
  std::map<std::string, std::size_t> index;
  for (const Finding& f : findings) {
    auto [it, inserted] = index.try_emplace(f.file, files.size());
    if (inserted) files.push_back({{"file", f.file}, {"findings", nlohmann::json::array()}});
    files[it->second]["findings"].push_back({{"rule", f.rule},
                                             {"severity", severity_name(f.severity)},
                                             {"line", f.line},
                                             {"statement", f.statement},
                                             {"message", f.message},
                                             {"lock", f.lock},
                                             {"impact", f.impact},
                                             {"fix", f.fix},
                                             {"allowed", f.allowed()},
                                             {"allowed_reason", f.allowed_reason}});
  }
  Counts c = count(findings);
  nlohmann::json out = {
      {"files", files}, {"errors", c.errors}, {"warnings", c.warnings}, {"allowed", c.allowed}};
  return out.dump(2) + "\n";
}

}  // namespace ficus::migrations
