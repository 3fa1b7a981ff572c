// CREATE INDEX without CONCURRENTLY holds SHARE on the table for the whole build: no writes.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  if (s.type != "IndexStmt" || tree::flag(s.body, "concurrent")) return;
  std::string table = tree::relation_name(tree::field(s.body, "relation"));
  if (ctx.is_new_table(table)) return;
  std::string index = tree::text(s.body, "idxname");
  report(fmt::format("CREATE INDEX {}without CONCURRENTLY blocks writes to {} for the whole index "
                     "build",
                     index.empty() ? "" : index + " ", table),
         s.lock,
         "CREATE INDEX CONCURRENTLY in its own migration marked -- ficus:no-transaction (use IF "
         "NOT EXISTS so a retry after a failure is safe)");
}

}  // namespace

extern const Rule kRequireConcurrentIndexCreation{
    "require-concurrent-index-creation", Severity::kError, Dialects::kPostgresOnly,
    "CREATE INDEX without CONCURRENTLY blocks writes", check};

}  // namespace ficus::migrations::rules
