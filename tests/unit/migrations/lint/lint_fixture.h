// Test helpers for lint rules: lint a fixture file from lint/fixtures/<rule-id>/ and compare the
// lines a rule flags with the lines the fixture marks with a trailing `-- expect` comment.
//
//   EXPECT_EQ(flagged_lines("setting-not-null", "bad.sql"), expected_lines("setting-not-null",
//   "bad.sql"));
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "migrations/lint/linter.h"
#include "migrations/runner/migration_file.h"

namespace ficus::migrations::testing {

inline std::string fixture_path(const std::string& rule, const std::string& file) {
  return std::string(FICUS_LINT_FIXTURES) + "/" + rule + "/" + file;
}

inline std::vector<Finding> lint_fixture(const std::string& rule, const std::string& file,
                                         LintOptions options = {}) {
  return lint_migration(read_migration_file(fixture_path(rule, file), FileNaming::kAnyName),
                        options);
}

// Lines where `rule` reported a finding.
inline std::vector<std::size_t> flagged_lines(const std::string& rule, const std::string& file,
                                              LintOptions options = {}) {
  std::vector<std::size_t> lines;
  for (const Finding& f : lint_fixture(rule, file, options))
    if (f.rule == rule) lines.push_back(f.line);
  return lines;
}

// Lines of the fixture that carry a `-- expect` comment.
inline std::vector<std::size_t> expected_lines(const std::string& rule, const std::string& file) {
  std::ifstream in(fixture_path(rule, file));
  std::vector<std::size_t> lines;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n)
    if (line.find("-- expect") != std::string::npos) lines.push_back(n);
  return lines;
}

// The common pair of checks: bad.sql is flagged exactly on its `-- expect` lines (at least one),
// good.sql (safe forms, keywords inside strings and comments) is not flagged at all.
inline void expect_rule_matches_fixtures(const std::string& rule) {
  std::vector<std::size_t> expected = expected_lines(rule, "bad.sql");
  ASSERT_FALSE(expected.empty()) << "bad.sql of " << rule << " marks no `-- expect` line";
  EXPECT_EQ(flagged_lines(rule, "bad.sql"), expected);
  EXPECT_EQ(flagged_lines(rule, "good.sql"), std::vector<std::size_t>{});
}

// The first finding of `rule` in `file`; fails the test when there is none.
inline Finding first_finding(const std::string& rule, const std::string& file) {
  for (const Finding& f : lint_fixture(rule, file))
    if (f.rule == rule) return f;
  ADD_FAILURE() << rule << " reported nothing in " << file;
  return {};
}

}  // namespace ficus::migrations::testing
