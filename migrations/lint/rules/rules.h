// Every lint rule, one per file in this folder. To add a rule: write rules/<id>.cpp defining
// `const Rule k<Name>`, declare it here, list it in all_rules() (linter.cpp), and add
// tests/unit/migrations/lint/<id>_test.cpp with good.sql/bad.sql fixtures.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "migrations/lint/pg_tree.h"
#include "migrations/lint/rule.h"

namespace ficus::migrations::rules {

// The ALTER TABLE subcommands of one kind (e.g. "AT_AddColumn") in `statement`, when it alters a
// table that existed before this migration. Lock rules skip tables the same file created: nothing
// reads them yet. Empty `commands` when the statement is not such an ALTER TABLE.
struct LiveTableAlters {
  std::string table;
  std::vector<const pg_tree::Json*> commands;
};
LiveTableAlters live_table_alters(const LintStatement& statement, const LintContext& ctx,
                                  std::string_view subtype);

extern const Rule kAddingNotNullColumn;
extern const Rule kAddingVolatileDefault;
extern const Rule kRequireConcurrentIndexCreation;
extern const Rule kConcurrentlyInTransaction;
extern const Rule kRequireConcurrentIndexDeletion;
extern const Rule kChangingColumnType;
extern const Rule kSettingNotNull;
extern const Rule kConstraintMissingNotValid;
extern const Rule kAddingKeyWithoutIndex;
extern const Rule kRenamingColumn;
extern const Rule kRenamingTable;
extern const Rule kDroppingColumn;
extern const Rule kDroppingTable;
extern const Rule kMutationWithoutWhere;
extern const Rule kUnbatchedBackfill;
extern const Rule kLockTable;
extern const Rule kVacuumFull;
extern const Rule kCluster;
extern const Rule kReindexWithoutConcurrently;
extern const Rule kAccessExclusiveWithoutLockTimeout;

}  // namespace ficus::migrations::rules
