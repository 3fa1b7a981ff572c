#include "migrations/lint/linter.h"

#include <pg_query.h>
#include <sqlite3.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/raw_stmt_reader.h"
#include "migrations/lint/rules/rules.h"
#include "migrations/runner/statements.h"

namespace ficus::migrations {
namespace {

// The offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629:
// no overlongs, no surrogates, nothing above U+10FFFF). A few lines rather than a library: none
// of the packaged ones is a dependency already.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    unsigned char min_second = 0x80, max_second = 0xBF;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) min_second = 0xA0;
      if (c == 0xED) max_second = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) min_second = 0x90;
      if (c == 0xF4) max_second = 0x8F;
    } else {
      return i;
    }
    if (i + length > text.size()) return i;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      const unsigned char lo = k == 1 ? min_second : 0x80, hi = k == 1 ? max_second : 0xBF;
      if (next < lo || next > hi) return i;
    }
    i += length;
  }
  return std::nullopt;
}

namespace tree = pg_tree;

// One statement as the rules see it; `stmt` and `text` live as long as the call that visits it.
struct ParsedStatement {
  const nlohmann::json& stmt;  // {"AlterTableStmt": {...}}
  std::string_view text;
  std::size_t line = 0;
};

class FileLinter {
 public:
  FileLinter(const MigrationFile& file, const LintOptions& options)
      : file_(file), options_(options), ctx_{options.dialect, file, true, true, {}} {
    ctx_.in_transaction = file.transaction && file.batches.empty();
    ctx_.lock_timeout_in_force = file.lock_timeout_ms.value_or(options.lock_timeout_ms) > 0;
  }

  // Each statement is linted as soon as it is parsed, and its tree freed right after.
  std::vector<Finding> run() {
    check_allow_directives();
    std::size_t allow_errors = findings_.size();
    // libpg_query copies identifier and string bytes into its JSON as they are; a byte that is
    // not UTF-8 makes that JSON unreadable, so it is reported here, where the line is known.
    if (auto bad = first_invalid_utf8(file_.up.sql)) {
      parse_error(file_.up.line_of(*bad),
                  "a byte that is not UTF-8 (migrations must be UTF-8 text; re-save the file as "
                  "UTF-8)",
                  options_.dialect == Dialect::kPostgres ? "PostgreSQL 15" : "SQLite");
    } else if (options_.dialect == Dialect::kPostgres) {
      lint_postgres();
    } else {
      lint_sqlite();
    }
    for (std::size_t i = next_batch_; i < file_.batches.size(); ++i)
      misplaced_batch(file_.batches[i]);
    // Directive errors first, then the statements' findings in file order.
    auto statements_begin = findings_.begin() + static_cast<std::ptrdiff_t>(allow_errors);
    findings_.insert(statements_begin, std::make_move_iterator(directive_findings_.begin()),
                     std::make_move_iterator(directive_findings_.end()));
    return std::move(findings_);
  }

 private:
  Finding make_finding(std::string_view rule, Severity severity, std::size_t line,
                       std::string statement, std::string message, std::string lock,
                       std::string impact, std::string fix) const {
    Finding f{std::string(rule),    severity,
              file_.path,           line,
              std::move(statement), std::move(message),
              std::move(lock),      std::move(impact),
              std::move(fix),       ""};
    for (const AllowDirective& allow : file_.allows)
      if (allow.rule == rule) f.allowed_reason = allow.reason;
    return f;
  }

  void add(std::string_view rule, Severity severity, std::size_t line, std::string statement,
           std::string message, std::string lock, std::string impact, std::string fix) {
    findings_.push_back(make_finding(rule, severity, line, std::move(statement), std::move(message),
                                     std::move(lock), std::move(impact), std::move(fix)));
  }

  void check_allow_directives() {
    for (const AllowDirective& allow : file_.allows) {
      if (find_rule(allow.rule)) continue;
      std::string ids;
      for (const Rule* r : all_rules()) ids += (ids.empty() ? "" : ", ") + std::string(r->id);
      add(kBadDirectiveId, Severity::kError, allow.line, "",
          fmt::format("`-- ficus:allow {}` names no lint rule", allow.rule), "", "",
          fmt::format("use one of: {}", ids));
    }
  }

  void parse_error(std::size_t line, const std::string& message, std::string_view dialect) {
    add(kParseErrorId, Severity::kError, line, "",
        fmt::format("does not parse as {}: {}", dialect, message), "", "the migration cannot run",
        "fix the SQL at that line");
  }

  // The whole section goes through the parser once; libpg_query's JSON is then read statement
  // by statement (raw_stmt_reader.h) instead of as one tree.
  void lint_postgres() {
    const Section& up = file_.up;
    PgQueryParseResult result = pg_query_parse(up.sql.c_str());
    std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> guard(
        &result, [](PgQueryParseResult* r) { pg_query_free_parse_result(*r); });
    if (result.error) {
      std::size_t offset =
          result.error->cursorpos > 0 ? static_cast<std::size_t>(result.error->cursorpos - 1) : 0;
      parse_error(up.line_of(offset), result.error->message, "PostgreSQL 15");
      return;
    }
    std::string_view sql = up.sql;
    tree::for_each_raw_stmt(result.parse_tree, [&](const nlohmann::json& entry) {
      auto location = entry.value("stmt_location", std::size_t{0});
      auto length = entry.value("stmt_len", std::size_t{0});
      std::size_t end = length == 0 ? sql.size() : location + length;
      std::size_t start = skip_space_and_comments(sql, location, end);
      while (end > start &&
             (std::isspace(static_cast<unsigned char>(sql[end - 1])) || sql[end - 1] == ';'))
        --end;
      visit({tree::field(entry, "stmt"), sql.substr(start, end - start), up.line_of(start)});
    });
  }

  // SQLite's grammar differs from PostgreSQL's: SQLite itself decides what is a syntax error;
  // the PostgreSQL parser then supplies a tree for the statements both grammars share (ALTER
  // TABLE, UPDATE, DELETE, DROP...), which is all the SQLite rules look at.
  void lint_sqlite() {
    sqlite3* db = nullptr;
    sqlite3_open(":memory:", &db);
    std::unique_ptr<sqlite3, int (*)(sqlite3*)> guard(db, sqlite3_close);
    for (const Statement& s : split_statements(Dialect::kSqlite, file_.up, file_.path)) {
      sqlite3_stmt* prepared = nullptr;
      int rc = sqlite3_prepare_v2(db, s.text.c_str(), static_cast<int>(s.text.size()), &prepared,
                                  nullptr);
      sqlite3_finalize(prepared);
      std::string message = rc == SQLITE_OK ? "" : sqlite3_errmsg(db);
      if (message.find("syntax error") != std::string::npos ||
          message.find("incomplete input") != std::string::npos ||
          message.find("unrecognized token") != std::string::npos) {
        int offset = sqlite3_error_offset(db);
        std::size_t line = s.line;
        if (offset > 0)
          line +=
              static_cast<std::size_t>(std::count(s.text.begin(), s.text.begin() + offset, '\n'));
        parse_error(line, message, "SQLite");
        continue;
      }
      PgQueryParseResult result = pg_query_parse(s.text.c_str());
      std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> result_guard(
          &result, [](PgQueryParseResult* r) { pg_query_free_parse_result(*r); });
      if (result.error) continue;
      nlohmann::json parsed = nlohmann::json::parse(result.parse_tree);
      const auto& stmts = tree::items(parsed, "stmts");
      if (stmts.size() == 1) visit({tree::field(stmts[0], "stmt"), s.text, s.line});
    }
  }

  void visit(const ParsedStatement& s) { lint_statement(s, batch_for(s)); }

  // A `-- ficus:batch` directive marks the first statement after it, which must be an UPDATE.
  const BatchDirective* batch_for(const ParsedStatement& s) {
    const BatchDirective* batch = nullptr;
    while (next_batch_ < file_.batches.size() && file_.batches[next_batch_].line < s.line) {
      const BatchDirective& directive = file_.batches[next_batch_++];
      if (tree::unwrap(s.stmt).first == "UpdateStmt") {
        batch = &directive;
      } else {
        misplaced_batch(directive);
      }
    }
    return batch;
  }

  void misplaced_batch(const BatchDirective& batch) {
    directive_findings_.push_back(
        make_finding(kBadDirectiveId, Severity::kError, batch.line, "",
                     "`-- ficus:batch` must be followed by the UPDATE it batches", "", "",
                     "put the directive on the line before an UPDATE statement"));
  }

  void lint_statement(const ParsedStatement& s, const BatchDirective* batch) {
    auto [type, body] = tree::unwrap(s.stmt);
    LintStatement statement{type, body, s.text, s.line, lock_taken(s.stmt), batch};
    // Most statements have no finding: one reporter for all rules, the summary made on demand.
    const Rule* rule = nullptr;
    std::string summary;
    Reporter report(
        [&](std::string message, std::string lock, std::string impact, std::string fix) {
          if (options_.dialect == Dialect::kSqlite && !lock.empty()) {
            lock = "the SQLite database write lock";
            impact = "every other writer waits (busy_timeout) until the migration commits";
          }
          if (summary.empty()) summary = statement_summary(s.text);
          add(rule->id, rule->severity, s.line, summary, std::move(message), std::move(lock),
              std::move(impact), std::move(fix));
        });
    for (const Rule* r : all_rules()) {
      if (options_.dialect == Dialect::kSqlite && r->dialects != Dialects::kPostgresAndSqlite)
        continue;
      rule = r;
      rule->check(statement, ctx_, report);
    }
    remember_effects(type, body);
  }

  // What a statement changes for the ones after it.
  void remember_effects(std::string_view type, const nlohmann::json& body) {
    if (type == "CreateStmt")
      ctx_.created_tables.insert(tree::relation_name(tree::field(body, "relation")));
    if (type == "CreateTableAsStmt")
      ctx_.created_tables.insert(
          tree::relation_name(tree::field(tree::field(body, "into"), "rel")));
    if (type == "VariableSetStmt" && tree::text(body, "name") == "lock_timeout") {
      std::string kind = tree::text(body, "kind");
      if (kind == "VAR_RESET" || kind == "VAR_SET_DEFAULT") {
        ctx_.lock_timeout_in_force = false;  // back to the server default, which is 0
      } else if (kind == "VAR_SET_VALUE") {
        const auto& args = tree::items(body, "args");
        bool zero = false;
        if (!args.empty()) {
          const auto& value = tree::unwrap(args[0]).second;
          if (value.contains("ival")) {
            zero = tree::field(value, "ival").value("ival", 0) == 0;
          } else if (value.contains("sval")) {
            std::string text = tree::text(tree::field(value, "sval"), "sval");
            zero = !text.empty() && text.find_first_not_of("0") == std::string::npos;
          }
        }
        ctx_.lock_timeout_in_force = !zero;
      }
    }
    if (type == "VariableSetStmt" && tree::text(body, "kind") == "VAR_RESET_ALL")
      ctx_.lock_timeout_in_force = false;
  }

  const MigrationFile& file_;
  const LintOptions& options_;
  LintContext ctx_;
  std::size_t next_batch_ = 0;  // file_.batches before this one are attached or reported
  std::vector<Finding> findings_;
  std::vector<Finding> directive_findings_;  // misplaced `-- ficus:batch`
};

}  // namespace

const std::vector<const Rule*>& all_rules() {
  using namespace rules;
  static const std::vector<const Rule*> kRules = {
      &kAddingNotNullColumn,
      &kAddingVolatileDefault,
      &kRequireConcurrentIndexCreation,
      &kConcurrentlyInTransaction,
      &kRequireConcurrentIndexDeletion,
      &kChangingColumnType,
      &kSettingNotNull,
      &kConstraintMissingNotValid,
      &kAddingKeyWithoutIndex,
      &kRenamingColumn,
      &kRenamingTable,
      &kDroppingColumn,
      &kDroppingTable,
      &kMutationWithoutWhere,
      &kUnbatchedBackfill,
      &kLockTable,
      &kVacuumFull,
      &kCluster,
      &kReindexWithoutConcurrently,
      &kAccessExclusiveWithoutLockTimeout,
  };
  return kRules;
}

const Rule* find_rule(std::string_view id) {
  for (const Rule* rule : all_rules())
    if (rule->id == id) return rule;
  return nullptr;
}

std::vector<Finding> lint_migration(const MigrationFile& file, const LintOptions& options) {
  if (!file.up.present) return {};
  return FileLinter(file, options).run();
}

bool has_blocking_errors(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
    return f.severity == Severity::kError && !f.allowed();
  });
}

}  // namespace ficus::migrations
