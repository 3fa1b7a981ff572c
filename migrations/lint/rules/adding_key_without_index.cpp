// ADD PRIMARY KEY / UNIQUE builds its index inline, under ACCESS EXCLUSIVE.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  auto [table, commands] = live_table_alters(s, ctx, "AT_AddConstraint");
  for (const tree::Json* cmd : commands) {
    const tree::Json& constraint = tree::unwrap(tree::field(*cmd, "def")).second;
    std::string kind = tree::text(constraint, "contype");
    if (kind != "CONSTR_PRIMARY" && kind != "CONSTR_UNIQUE") continue;
    if (!tree::text(constraint, "indexname").empty()) continue;  // USING INDEX
    std::string what = kind == "CONSTR_PRIMARY" ? "PRIMARY KEY" : "UNIQUE";
    report(fmt::format("ADD {} builds a new index on {} while holding its lock", what, table),
           s.lock,
           fmt::format("CREATE UNIQUE INDEX CONCURRENTLY {0}_key_idx ON {0} (...) in a "
                       "-- ficus:no-transaction migration, then ALTER TABLE {0} ADD CONSTRAINT "
                       "... {1} USING INDEX {0}_key_idx (instant)",
                       table, what));
  }
}

}  // namespace

extern const Rule kAddingKeyWithoutIndex{
    "adding-key-without-index", Severity::kError, Dialects::kPostgresOnly,
    "ADD PRIMARY KEY / UNIQUE without USING INDEX builds the index under lock", check};

}  // namespace ficus::migrations::rules
