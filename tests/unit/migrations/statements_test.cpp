#include "migrations/runner/statements.h"

#include <gtest/gtest.h>

#include "migrations/runner/migration_error.h"

namespace ficus::migrations {
namespace {

Section section(std::string sql, std::size_t first_line = 10) {
  Section s;
  s.sql = std::move(sql);
  s.first_line = first_line;
  s.present = true;
  return s;
}

TEST(SplitStatements, PostgresGivesEachStatementItsFileLine) {
  auto statements = split_statements(
      Dialect::kPostgres,
      section("CREATE TABLE t (id int);\n-- comment; with a semicolon\n\nINSERT INTO t "
              "VALUES (1);\nSELECT ';' AS x"),
      "m.sql");
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[0].text, "CREATE TABLE t (id int)");
  EXPECT_EQ(statements[0].line, 10u);
  EXPECT_EQ(statements[1].text, "INSERT INTO t VALUES (1)");
  EXPECT_EQ(statements[1].line, 13u);
  EXPECT_EQ(statements[2].text, "SELECT ';' AS x");
}

TEST(SplitStatements, PostgresKeepsDollarQuotedBodiesWhole) {
  auto statements = split_statements(
      Dialect::kPostgres,
      section(
          "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql;\nSELECT 1;"),
      "m.sql");
  EXPECT_EQ(statements.size(), 2u);
}

TEST(SplitStatements, PostgresSyntaxErrorNamesFileLineAndParserMessage) {
  try {
    split_statements(Dialect::kPostgres, section("SELECT 1;\nALTER TABLE t ADD COLUMNN x int;"),
                     "m.sql");
    FAIL() << "expected an error";
  } catch (const MigrationError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("m.sql:11:"), std::string::npos) << message;
    EXPECT_NE(message.find("syntax error"), std::string::npos) << message;
  }
}

TEST(SplitStatements, SqliteKeepsTriggerBodiesAndStringsWhole) {
  auto statements = split_statements(
      Dialect::kSqlite,
      section("CREATE TABLE t (a text);\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET "
              "a = 'x;y'; END;\nINSERT INTO t VALUES (';')"),
      "m.sql");
  ASSERT_EQ(statements.size(), 3u);
  EXPECT_EQ(statements[1].line, 11u);
  EXPECT_EQ(statements[2].text, "INSERT INTO t VALUES (';')");
}

TEST(SplitStatements, CommentOnlySectionHasNoStatements) {
  EXPECT_TRUE(
      split_statements(Dialect::kPostgres, section("-- nothing\n/* here */\n"), "m.sql").empty());
  EXPECT_TRUE(split_statements(Dialect::kSqlite, section("-- nothing\n"), "m.sql").empty());
}

}  // namespace
}  // namespace ficus::migrations
