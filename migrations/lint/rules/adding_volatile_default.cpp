// ADD COLUMN with a volatile DEFAULT (random(), gen_random_uuid(), nextval, serial...): PostgreSQL
// must evaluate it per row, so it rewrites the whole table under ACCESS EXCLUSIVE. A constant or
// stable default (now()) is stored once in the catalog and is instant since PostgreSQL 11.
#include <fmt/format.h>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rules/rules.h"

namespace ficus::migrations::rules {
namespace {

namespace tree = pg_tree;

// Functions PostgreSQL marks VOLATILE that show up as column defaults.
constexpr std::string_view kVolatileFunctions[] = {"random",
                                                   "gen_random_uuid",
                                                   "uuid_generate_v1",
                                                   "uuid_generate_v1mc",
                                                   "uuid_generate_v4",
                                                   "clock_timestamp",
                                                   "timeofday",
                                                   "nextval",
                                                   "txid_current",
                                                   "setseed",
                                                   "pg_catalog.random",
                                                   "pg_catalog.gen_random_uuid",
                                                   "pg_catalog.clock_timestamp",
                                                   "pg_catalog.nextval"};
constexpr std::string_view kSerialTypes[] = {"serial",  "serial2",   "serial4",
                                             "serial8", "bigserial", "smallserial"};

std::string volatile_part(const tree::Json& column) {
  std::string type_name = tree::dotted_name(tree::items(tree::field(column, "typeName"), "names"));
  for (std::string_view serial : kSerialTypes)
    if (type_name == serial) return type_name + " (a nextval() default)";
  for (const tree::Json& constraint : tree::items(column, "constraints")) {
    const tree::Json& body = tree::unwrap(constraint).second;
    if (tree::text(body, "contype") != "CONSTR_DEFAULT") continue;
    std::string found;
    tree::walk(tree::field(body, "raw_expr"), [&](std::string_view type, const tree::Json& node) {
      if (type != "FuncCall" || !found.empty()) return;
      std::string name = tree::dotted_name(tree::field(node, "funcname"));
      for (std::string_view v : kVolatileFunctions)
        if (name == v) found = name + "()";
    });
    if (!found.empty()) return found;
  }
  return {};
}

void check(const LintStatement& s, const LintContext& ctx, Reporter& report) {
  auto [table, commands] = live_table_alters(s, ctx, "AT_AddColumn");
  for (const tree::Json* cmd : commands) {
    const tree::Json& column = tree::unwrap(tree::field(*cmd, "def")).second;
    std::string what = volatile_part(column);
    if (what.empty()) continue;
    std::string col = tree::text(column, "colname");
    report(fmt::format("ADD COLUMN {} with volatile default {} rewrites every row of {} while "
                       "holding its lock",
                       col, what, table),
           {LockMode::kAccessExclusive, table},
           fmt::format("add {0} without a default (or with a constant one); ALTER TABLE {1} ALTER "
                       "COLUMN {0} SET DEFAULT ... for new rows; backfill existing rows in batches "
                       "in a backfill migration",
                       col, table));
  }
}

}  // namespace

extern const Rule kAddingVolatileDefault{
    "adding-volatile-default", Severity::kError, Dialects::kPostgresAndSqlite,
    "ADD COLUMN with a volatile DEFAULT rewrites the table", check};

}  // namespace ficus::migrations::rules
