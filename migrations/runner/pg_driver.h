// MigrationDriver for PostgreSQL over libpq. One connection, used for the whole command, so the
// session advisory lock and the session timeouts hold for every migration it runs.
//
//   PgDriver db("postgres://app@127.0.0.1:5432/app");
//   if (!db.try_lock_runner()) ...;  // another `ficus migrate` is running
#pragma once

#include <string>

#include "migrations/runner/driver.h"

struct pg_conn;
struct pg_result;

namespace ficus::migrations {

class PgDriver final : public MigrationDriver {
 public:
  explicit PgDriver(const std::string& url);
  ~PgDriver() override;
  PgDriver(const PgDriver&) = delete;
  PgDriver& operator=(const PgDriver&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }
  void execute(const std::string& sql) override;
  std::int64_t execute(const std::string& sql, const Params& params) override;
  std::int64_t last_changes() const override { return last_changes_; }
  std::vector<Row> query(const std::string& sql, const Params& params) override;
  std::string placeholder(int index) const override { return "$" + std::to_string(index); }
  bool try_lock_runner() override;
  void lock_runner() override;
  void unlock_runner() override;
  std::string runner_lock_holder() override;
  void set_timeouts(std::int64_t lock_timeout_ms, std::int64_t statement_timeout_ms) override;

 private:
  pg_result* run(const std::string& sql, const Params& params, bool with_params);

  pg_conn* conn_ = nullptr;
  std::int64_t last_changes_ = 0;
  std::int64_t lock_timeout_ms_ = 0;  // as last set, for error messages
  std::int64_t statement_timeout_ms_ = 0;
};

}  // namespace ficus::migrations
