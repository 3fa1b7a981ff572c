#include "migrations/runner/backfill.h"

#include <pg_query.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "migrations/lint/pg_tree.h"
#include "migrations/runner/sql_tokens.h"

namespace ficus::migrations {
namespace {

using Clock = std::chrono::steady_clock;

std::string quote_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string quote_relation(const nlohmann::json& range_var) {
  std::string schema = pg_tree::text(range_var, "schemaname");
  std::string rel = quote_ident(pg_tree::text(range_var, "relname"));
  return schema.empty() ? rel : quote_ident(schema) + "." + rel;
}

std::string format_eta(double seconds) {
  if (seconds < 0 || seconds > 1e7) return "?";
  auto s = static_cast<long>(seconds);
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

BatchedUpdate::BatchedUpdate(MigrationDriver& db, History& history, const MigrationFile& file,
                             const Statement& statement, const BatchDirective& batch)
    : db_(db), history_(history), file_(file), statement_(statement), batch_(batch) {
  auto fail = [&](const std::string& why) {
    throw MigrationError(fmt::format("{}:{}: -- ficus:batch: {}", file.path, statement.line, why));
  };
  PgQueryParseResult parsed = pg_query_parse(statement.text.c_str());
  nlohmann::json tree;
  if (!parsed.error) tree = nlohmann::json::parse(parsed.parse_tree);
  pg_query_free_parse_result(parsed);
  const auto& stmts = pg_tree::items(tree, "stmts");
  if (stmts.size() != 1) fail("the marked statement must be one UPDATE");
  auto [type, update] = pg_tree::unwrap(pg_tree::field(stmts[0], "stmt"));
  if (type != "UpdateStmt") fail("the marked statement must be an UPDATE");
  const auto& relation = pg_tree::field(update, "relation");
  table_ = quote_relation(relation);
  std::string alias = pg_tree::text(pg_tree::field(relation, "alias"), "aliasname");
  std::string key = quote_ident(batch.key);
  std::string qualified_key = (alias.empty() ? table_ : quote_ident(alias)) + "." + key;

  // Find the top-level WHERE and RETURNING by token; the key range is ANDed onto the WHERE.
  std::size_t where_start = std::string::npos;
  std::size_t where_end = 0;
  std::size_t returning = statement.text.size();
  for (const SqlToken& t : scan_tokens(statement.text)) {
    if (t.depth != 0) continue;
    if (t.kind == SqlToken::kWhere && where_start == std::string::npos) {
      where_start = t.start;
      where_end = t.end;
    }
    if (t.kind == SqlToken::kReturning) returning = t.start;
  }
  auto with_range = [&](const std::string& range) {
    const std::string& sql = statement.text;
    std::string tail = sql.substr(returning);
    if (where_start == std::string::npos)
      return fmt::format("{} WHERE {} {}", sql.substr(0, returning), range, tail);
    return fmt::format("{} WHERE ({}) AND ({}) {}", sql.substr(0, where_start), range,
                       sql.substr(where_end, returning - where_end), tail);
  };
  std::string p1 = db.placeholder(1);
  std::string p2 = db.placeholder(2);
  first_sql_ = with_range(fmt::format("{} <= {}", qualified_key, p1));
  next_sql_ = with_range(fmt::format("{0} > {1} AND {0} <= {2}", qualified_key, p1, p2));
  first_bound_sql_ = fmt::format(
      "SELECT max(k), count(*) FROM (SELECT {0} AS k FROM {1} ORDER BY {0} LIMIT {2}) s", key,
      table_, batch.size);
  next_bound_sql_ = fmt::format(
      "SELECT max(k), count(*) FROM (SELECT {0} AS k FROM {1} WHERE {0} > {3} ORDER BY {0} LIMIT "
      "{2}) s",
      key, table_, batch.size, p1);
}

std::int64_t BatchedUpdate::run(std::ostream& out, bool terminal, BatchRetry retry) {
  BackfillProgress progress =
      history_.backfill_progress(file_.version, statement_.line).value_or(BackfillProgress{});
  if (progress.finished) return 0;
  std::string label = fmt::format("backfill {}:{} ({})", file_.path, statement_.line, table_);
  std::int64_t total =
      std::stoll(db_.query("SELECT count(*) FROM " + table_).at(0).at(0).value_or("0"));
  std::int64_t scanned = 0;
  if (!progress.last_key.empty()) {
    scanned = std::stoll(db_.query(fmt::format("SELECT count(*) FROM {} WHERE {} <= {}", table_,
                                               quote_ident(batch_.key), db_.placeholder(1)),
                                   {progress.last_key})
                             .at(0)
                             .at(0)
                             .value_or("0"));
    out << fmt::format("{}: resuming after key {} ({} rows already updated)\n", label,
                       progress.last_key, progress.rows_done);
  }
  const std::int64_t scanned_at_start = scanned;
  const std::int64_t updated_at_start = progress.rows_done;
  auto started = Clock::now();
  auto last_log = started;
  for (;;) {
    bool first = progress.last_key.empty();
    std::vector<Row> bound =
        first ? db_.query(first_bound_sql_) : db_.query(next_bound_sql_, {progress.last_key});
    if (bound.empty() || !bound[0][0]) break;  // no keys left
    std::string upper = *bound[0][0];
    std::int64_t in_batch = std::stoll(bound[0][1].value_or("0"));
    for (int attempt = 0;; ++attempt) {
      try {
        db_.execute("BEGIN");
        std::int64_t changed = first ? db_.execute(first_sql_, {upper})
                                     : db_.execute(next_sql_, {progress.last_key, upper});
        BackfillProgress next{upper, progress.rows_done + changed, false};
        history_.save_backfill_progress(file_.version, statement_.line, next);
        db_.execute("COMMIT");
        progress = next;
        break;
      } catch (const DbError& error) {
        try {
          db_.execute("ROLLBACK");
        } catch (const DbError&) {
        }
        if (!error.lock_timeout() || attempt >= retry.lock_retries) {
          throw MigrationError(fmt::format(
              "{}:{}: batch after key {} failed: {}\n  statement: {}\nBatches before it are "
              "committed and recorded; fix the cause and run `ficus migrate up` again to resume.",
              file_.path, statement_.line,
              progress.last_key.empty() ? "(start)" : progress.last_key, error.what(),
              statement_summary(statement_.text, 200)));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(retry.backoff_ms << attempt));
      }
    }
    scanned += in_batch;
    auto now = Clock::now();
    double seconds = std::chrono::duration<double>(now - started).count();
    double rate = seconds > 0 ? static_cast<double>(scanned - scanned_at_start) / seconds : 0;
    double eta = rate > 0 ? static_cast<double>(total - scanned) / rate : -1;
    std::int64_t percent = total > 0 ? std::min<std::int64_t>(100, scanned * 100 / total) : 100;
    if (terminal) {
      std::string bar(static_cast<std::size_t>(percent / 5), '#');
      bar.resize(20, '.');
      out << fmt::format("\r{} [{}] {:3}% {}/{} rows, {} updated, {:.0f} rows/s, ETA {}   ", label,
                         bar, percent, scanned, total, progress.rows_done, rate, format_eta(eta))
          << std::flush;
    } else if (now - last_log >= std::chrono::seconds(1)) {
      last_log = now;
      out << fmt::format("{}: {}/{} rows ({}%), {} updated, {:.0f} rows/s, ETA {}\n", label,
                         scanned, total, percent, progress.rows_done, rate, format_eta(eta))
          << std::flush;
    }
    if (batch_.sleep_ms > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(batch_.sleep_ms));
  }
  progress.finished = true;
  history_.save_backfill_progress(file_.version, statement_.line, progress);
  if (terminal) out << '\n';
  out << fmt::format("{}: done, {} rows updated\n", label, progress.rows_done) << std::flush;
  return progress.rows_done - updated_at_start;
}

}  // namespace ficus::migrations
