#include "migrations/runner/statements.h"

#include <pg_query.h>
#include <sqlite3.h>

#include <cctype>

#include <fmt/format.h>

#include "migrations/runner/migration_error.h"

namespace ficus::migrations {
namespace {

std::size_t trim_end(std::string_view sql, std::size_t from, std::size_t to) {
  while (to > from && (std::isspace(static_cast<unsigned char>(sql[to - 1])) || sql[to - 1] == ';'))
    --to;
  return to;
}

void add_statement(std::vector<Statement>& out, const Section& section, std::size_t from,
                   std::size_t to) {
  std::string_view sql = section.sql;
  std::size_t start = skip_space_and_comments(sql, from, to);
  std::size_t end = trim_end(sql, start, to);
  if (start >= end) return;
  out.push_back({std::string(sql.substr(start, end - start)), start, section.line_of(start)});
}

std::vector<Statement> split_postgres(const Section& section, const std::string& path) {
  PgQuerySplitResult result = pg_query_split_with_parser(section.sql.c_str());
  if (result.error) {
    std::size_t offset =
        result.error->cursorpos > 0 ? static_cast<std::size_t>(result.error->cursorpos - 1) : 0;
    std::string message =
        fmt::format("{}:{}: does not parse as PostgreSQL 15: {}; fix the SQL at that line", path,
                    section.line_of(offset), result.error->message);
    pg_query_free_split_result(result);
    throw MigrationError(message);
  }
  std::vector<Statement> out;
  for (int i = 0; i < result.n_stmts; ++i) {
    auto from = static_cast<std::size_t>(result.stmts[i]->stmt_location);
    auto len = static_cast<std::size_t>(result.stmts[i]->stmt_len);
    add_statement(out, section, from, len == 0 ? section.sql.size() : from + len);
  }
  pg_query_free_split_result(result);
  return out;
}

std::vector<Statement> split_sqlite(const Section& section) {
  std::vector<Statement> out;
  const std::string& sql = section.sql;
  std::size_t start = 0;
  std::size_t pos = 0;
  while ((pos = sql.find(';', pos)) != std::string::npos) {
    ++pos;
    // A `;` inside a string, comment or CREATE TRIGGER body does not end the statement;
    // sqlite3_complete() runs SQLite's tokenizer to tell.
    if (sqlite3_complete(sql.substr(start, pos - start).c_str())) {
      add_statement(out, section, start, pos);
      start = pos;
    }
  }
  add_statement(out, section, start, sql.size());
  return out;
}

}  // namespace

std::size_t skip_space_and_comments(std::string_view sql, std::size_t from, std::size_t to) {
  std::size_t i = from;
  while (i < to) {
    if (std::isspace(static_cast<unsigned char>(sql[i]))) {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      std::size_t eol = sql.find('\n', i);
      i = eol == std::string_view::npos || eol > to ? to : eol + 1;
    } else if (sql.substr(i, 2) == "/*") {
      // PostgreSQL block comments nest; SQLite's do not, but nesting never shows up in practice.
      int depth = 0;
      while (i < to) {
        if (sql.substr(i, 2) == "/*") {
          ++depth;
          i += 2;
        } else if (sql.substr(i, 2) == "*/") {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
    } else {
      break;
    }
  }
  return i;
}

std::string statement_summary(std::string_view text, std::size_t max_chars) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() >= max_chars) return out + "...";
  }
  return out;
}

std::vector<Statement> split_statements(Dialect dialect, const Section& section,
                                        const std::string& path) {
  if (!section.present) return {};
  return dialect == Dialect::kPostgres ? split_postgres(section, path) : split_sqlite(section);
}

}  // namespace ficus::migrations
