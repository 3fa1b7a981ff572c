#include "migrations/runner/pg_driver.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <memory>

#include <fmt/format.h>

namespace ficus::migrations {
namespace {

// The advisory lock key every `ficus migrate` runner takes: "ficus" in ASCII.
constexpr const char* kRunnerLockKey = "439904826739";

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

PgDriver::PgDriver(const std::string& url) {
  conn_ = PQconnectdb(url.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn_);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    PQfinish(conn_);
    conn_ = nullptr;
    throw MigrationError(
        fmt::format("cannot connect to PostgreSQL: {}; check --db / DATABASE_URL", message));
  }
  // NOTICEs such as "relation already exists, skipping" are noise in migration output.
  execute("SET client_min_messages = warning");
  execute("SET application_name = 'ficus migrate'");
}

PgDriver::~PgDriver() {
  PQfinish(conn_);
}

PGresult* PgDriver::run(const std::string& sql, const Params& params, bool with_params) {
  PGresult* raw = nullptr;
  if (with_params) {
    std::vector<const char*> values;
    for (const Value& v : params) values.push_back(v ? v->c_str() : nullptr);
    raw = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(),
                       nullptr, nullptr, 0);
  } else {
    raw = PQexec(conn_, sql.c_str());
  }
  Result result(raw);
  ExecStatusType status = PQresultStatus(raw);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY)
    return result.release();
  const char* primary = raw ? PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  const char* position = raw ? PQresultErrorField(raw, PG_DIAG_STATEMENT_POSITION) : nullptr;
  std::string message = primary ? primary : PQerrorMessage(conn_);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  std::string sqlstate = state ? state : "";
  std::optional<std::size_t> offset;
  if (position) {
    long p = std::strtol(position, nullptr, 10);
    if (p > 0) offset = static_cast<std::size_t>(p - 1);
  }
  if (!sqlstate.empty()) message += fmt::format(" (SQLSTATE {})", sqlstate);
  // Say which limit fired and where it is set, so the message leads to the fix.
  if (sqlstate == "55P03" && lock_timeout_ms_ > 0)
    message += fmt::format(" after the lock_timeout of {} ms", lock_timeout_ms_);
  if (sqlstate == "57014" && message.find("statement timeout") != std::string::npos)
    message += fmt::format(
        " after the statement_timeout of {} ms; make the statement faster (batch it) or raise "
        "--statement-timeout or `-- ficus:statement-timeout`",
        statement_timeout_ms_);
  throw DbError(message, sqlstate, sqlstate == "55P03", offset);
}

void PgDriver::execute(const std::string& sql) {
  last_changes_ = 0;
  Result r(run(sql, {}, false));
  const char* tuples = PQcmdTuples(r.get());
  last_changes_ = tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
}

std::int64_t PgDriver::execute(const std::string& sql, const Params& params) {
  Result r(run(sql, params, true));
  const char* tuples = PQcmdTuples(r.get());
  return tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0;
}

std::vector<Row> PgDriver::query(const std::string& sql, const Params& params) {
  Result r(run(sql, params, true));
  std::vector<Row> rows;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    Row row;
    for (int c = 0; c < PQnfields(r.get()); ++c) {
      row.push_back(PQgetisnull(r.get(), i, c) ? std::nullopt : Value(PQgetvalue(r.get(), i, c)));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

bool PgDriver::try_lock_runner() {
  auto rows = query(fmt::format("SELECT pg_try_advisory_lock({})", kRunnerLockKey), {});
  return rows.at(0).at(0) == "t";
}

void PgDriver::lock_runner() {
  execute(fmt::format("SELECT pg_advisory_lock({})", kRunnerLockKey));
}

void PgDriver::unlock_runner() {
  execute(fmt::format("SELECT pg_advisory_unlock({})", kRunnerLockKey));
}

std::string PgDriver::runner_lock_holder() {
  // A bigint key is stored as classid (high 32 bits) and objid (low 32 bits).
  auto rows = query(fmt::format("SELECT a.pid, coalesce(a.application_name, ''), "
                                "coalesce(a.client_addr::text, 'local') FROM pg_locks l JOIN "
                                "pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND "
                                "l.granted AND l.classid = ({0}::bigint >> 32)::oid AND l.objid "
                                "= ({0}::bigint & 4294967295)::oid",
                                kRunnerLockKey),
                    {});
  if (rows.empty()) return {};
  return fmt::format("backend pid {} ({}, {})", rows[0][0].value_or(""), rows[0][1].value_or(""),
                     rows[0][2].value_or(""));
}

void PgDriver::set_timeouts(std::int64_t lock_timeout_ms, std::int64_t statement_timeout_ms) {
  execute(fmt::format("SET lock_timeout = {}", lock_timeout_ms));
  execute(fmt::format("SET statement_timeout = {}", statement_timeout_ms));
  lock_timeout_ms_ = lock_timeout_ms;
  statement_timeout_ms_ = statement_timeout_ms;
}

}  // namespace ficus::migrations
