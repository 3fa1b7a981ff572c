// The linter as a whole: parse errors, allow directives, the SQLite subset, the rule registry.
#include "migrations/lint/linter.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "migrations/lint/report.h"
#include "tests/unit/migrations/lint/lint_fixture.h"

namespace ficus::migrations {
namespace {

std::vector<Finding> lint_text(const std::string& text, Dialect dialect = Dialect::kPostgres) {
  LintOptions options;
  options.dialect = dialect;
  return lint_migration(parse_migration_file("m.sql", text, FileNaming::kAnyName), options);
}

std::vector<std::string> rule_ids(const std::vector<Finding>& findings) {
  std::vector<std::string> ids;
  for (const Finding& f : findings) ids.push_back(f.rule);
  return ids;
}

TEST(Linter, FileThatDoesNotParseIsOneErrorNamingLineAndParserMessage) {
  auto findings = lint_text("-- ficus:up\nSELECT 1;\n\nALTER TABLE users ADD COLUMNN x int;\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, kParseErrorId);
  EXPECT_EQ(findings[0].line, 4u);
  EXPECT_NE(findings[0].message.find("syntax error at or near"), std::string::npos)
      << findings[0].message;
  EXPECT_TRUE(has_blocking_errors(findings));
}

// Found by tests/fuzz (sql_lint): a byte that is not UTF-8 made libpg_query's JSON unreadable
// and lint threw instead of reporting.
TEST(Linter, ByteThatIsNotUtf8IsAParseErrorNamingItsLineInBothDialects) {
  const std::string text =
      "-- ficus:up\nSELECT 1;\nALTER TABLE users RENAME TO acco\x8d"
      "unts;\n";
  for (Dialect dialect : {Dialect::kPostgres, Dialect::kSqlite}) {
    auto findings = lint_text(text, dialect);
    ASSERT_EQ(findings.size(), 1u);
    EXPECT_EQ(findings[0].rule, kParseErrorId);
    EXPECT_EQ(findings[0].line, 3u);
    EXPECT_NE(findings[0].message.find("not UTF-8"), std::string::npos) << findings[0].message;
  }
  // Well-formed multi-byte text is fine.
  EXPECT_TRUE(
      lint_text("-- ficus:up\nCOMMENT ON TABLE t IS 'caf\xc3\xa9 \xf0\x9f\x8c\xb3';\n").empty());
}

TEST(Linter, AllowDirectiveKeepsTheFindingButMarksItAllowedWithTheReason) {
  auto findings = lint_text(
      "-- ficus:allow dropping-column unused since release 42\n-- ficus:up\nALTER TABLE users "
      "DROP COLUMN legacy;\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, "dropping-column");
  EXPECT_EQ(findings[0].allowed_reason, "unused since release 42");
  EXPECT_FALSE(has_blocking_errors(findings));
}

TEST(Linter, AllowNamingAnUnknownRuleIsAnErrorListingTheRules) {
  auto findings = lint_text("-- ficus:allow droping-column typo\n-- ficus:up\nSELECT 1;\n");
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, kBadDirectiveId);
  EXPECT_EQ(findings[0].line, 1u);
  EXPECT_NE(findings[0].fix.find("dropping-column"), std::string::npos);
}

TEST(Linter, BatchDirectiveMustPrecedeAnUpdate) {
  auto findings = lint_text(
      "-- ficus:phase backfill\n-- ficus:up\n-- ficus:batch key=id\nDELETE FROM t WHERE a;\n");
  EXPECT_EQ(rule_ids(findings), std::vector<std::string>{std::string(kBadDirectiveId)});
}

TEST(Linter, CleanMigrationHasNoFindings) {
  EXPECT_TRUE(lint_text("-- ficus:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
                        "ALTER TABLE users ADD COLUMN name text;\n")
                  .empty());
}

TEST(Linter, SqliteGetsTheRulesThatApplyThere) {
  auto findings = lint_text(
      "-- ficus:up\nCREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, a TEXT);\n"
      "ALTER TABLE users RENAME COLUMN a TO b;\nALTER TABLE users DROP COLUMN c;\n"
      "UPDATE users SET a = 1;\nCREATE INDEX i ON users (a);\nALTER TABLE users ADD COLUMN n "
      "INT NOT NULL;\n",
      Dialect::kSqlite);
  EXPECT_EQ(rule_ids(findings),
            (std::vector<std::string>{"renaming-column", "dropping-column",
                                      "mutation-without-where", "adding-not-null-column"}));
  EXPECT_EQ(findings[0].line, 3u);
  EXPECT_EQ(findings[0].lock, "the SQLite database write lock");
}

TEST(Linter, SqliteSyntaxErrorNamesTheLine) {
  auto findings = lint_text("-- ficus:up\nCREATE TABLE t (id INT);\nCREATE TABLEE u (id INT);\n",
                            Dialect::kSqlite);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].rule, kParseErrorId);
  EXPECT_EQ(findings[0].line, 3u);
  EXPECT_NE(findings[0].message.find("syntax error"), std::string::npos);
}

TEST(Linter, SqliteFindingsAndSyntaxErrorsComeInFileOrder) {
  auto findings = lint_text(
      "-- ficus:up\nALTER TABLE users DROP COLUMN c;\nCREATE TABLEE u (id INT);\n"
      "UPDATE users SET a = 1;\n",
      Dialect::kSqlite);
  EXPECT_EQ(rule_ids(findings),
            (std::vector<std::string>{"dropping-column", std::string(kParseErrorId),
                                      "mutation-without-where"}));
}

TEST(Linter, RuleIdsAreUniqueKebabCaseAndEachHasFixtures) {
  std::set<std::string> seen;
  for (const Rule* rule : all_rules()) {
    std::string id(rule->id);
    EXPECT_TRUE(std::regex_match(id, std::regex("[a-z]+(-[a-z]+)*"))) << id;
    EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
    EXPECT_TRUE(std::filesystem::exists(testing::fixture_path(id, "bad.sql"))) << id;
    EXPECT_TRUE(std::filesystem::exists(testing::fixture_path(id, "good.sql"))) << id;
    EXPECT_EQ(find_rule(id), rule);
  }
  EXPECT_EQ(find_rule("no-such-rule"), nullptr);
}

TEST(LintReport, JsonGroupsFindingsPerFileWithCounts) {
  auto findings = lint_text(
      "-- ficus:up\nCREATE INDEX i ON users (a);\nUPDATE users SET a = 1 "
      "WHERE a IS NULL;\n");
  auto json = nlohmann::json::parse(format_findings_json(findings));
  EXPECT_EQ(json["errors"], 1);
  EXPECT_EQ(json["warnings"], 1);
  ASSERT_EQ(json["files"].size(), 1u);
  EXPECT_EQ(json["files"][0]["file"], "m.sql");
  EXPECT_EQ(json["files"][0]["findings"][0]["rule"], "require-concurrent-index-creation");
  EXPECT_EQ(json["files"][0]["findings"][0]["line"], 2);
  EXPECT_EQ(json["files"][0]["findings"][0]["lock"], "SHARE on users");
}

TEST(LintReport, TextShowsLocationRuleLockAndSafeAlternative) {
  std::string text = format_findings_text(lint_text("-- ficus:up\nCREATE INDEX i ON users (a);\n"));
  EXPECT_NE(text.find("m.sql:2: error [require-concurrent-index-creation]"), std::string::npos)
      << text;
  EXPECT_NE(text.find("lock: SHARE on users"), std::string::npos) << text;
  EXPECT_NE(text.find("safe alternative: CREATE INDEX CONCURRENTLY"), std::string::npos) << text;
  EXPECT_NE(text.find("1 error(s), 0 warning(s)"), std::string::npos) << text;
}

}  // namespace
}  // namespace ficus::migrations
