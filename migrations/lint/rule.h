// What a lint rule is and what it sees. One rule per file in migrations/lint/rules/, each a
// `const Rule` with a stable kebab-case id (used by `-- ficus:allow RULE reason` and the CLI) and
// one check function that looks at one statement's parse tree:
//
//   void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
//     if (s.type != "ClusterStmt") return;
//     report("CLUSTER rewrites the table", s.lock, "use pg_repack");
//   }
//   extern const Rule kCluster{"cluster", Severity::kError, kPostgresOnly, "CLUSTER", check};
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "migrations/lint/finding.h"
#include "migrations/lint/lock_level.h"
#include "migrations/runner/dialect.h"
#include "migrations/runner/migration_file.h"

namespace ficus::migrations {

// One parsed statement of a migration's up section.
struct LintStatement {
  std::string_view type;       // parse-tree node type, e.g. "AlterTableStmt"
  const nlohmann::json& body;  // that node's fields
  std::string_view text;
  std::size_t line = 0;
  LockTaken lock;                         // the table lock it takes (PostgreSQL rules)
  const BatchDirective* batch = nullptr;  // set when `-- ficus:batch` marks it
};

// What the linter knows about the migration as it walks it, statement by statement.
struct LintContext {
  Dialect dialect = Dialect::kPostgres;
  const MigrationFile& file;
  bool in_transaction = true;
  bool lock_timeout_in_force = true;     // runner's lock_timeout, updated by SET lock_timeout
  std::set<std::string> created_tables;  // tables created earlier in this migration
  // A table created in this migration has no traffic yet, so locking it is harmless.
  bool is_new_table(const std::string& table) const { return created_tables.contains(table); }
};

// Adds a finding for the current rule and statement.
class Reporter {
 public:
  using Sink = std::function<void(std::string message, std::string lock, std::string impact,
                                  std::string fix)>;
  explicit Reporter(Sink sink) : sink_(std::move(sink)) {}
  // `lock`: the lock taken; its effect on traffic is filled in from the lock mode.
  void operator()(std::string message, const LockTaken& lock, std::string fix) {
    sink_(std::move(message), describe_lock(lock), std::string(lock_impact(lock.mode)),
          std::move(fix));
  }
  // For findings where the harm is not a lock (e.g. a failing statement): say it in `impact`.
  void with_impact(std::string message, std::string impact, std::string fix) {
    sink_(std::move(message), "", std::move(impact), std::move(fix));
  }

 private:
  Sink sink_;
};

enum class Dialects { kPostgresOnly, kPostgresAndSqlite };

struct Rule {
  std::string_view id;
  Severity severity;
  Dialects dialects;
  std::string_view summary;  // one line for `--help` and docs
  void (*check)(const LintStatement&, const LintContext&, Reporter&);
};

}  // namespace ficus::migrations
