// Every lint rule, one per file in this folder. To add a rule: write rules/<id>.cpp defining
// `const Rule k<Name>`, declare it here, list it in all_rules() (linter.cpp), and add
// tests/unit/migrations/lint/<id>_test.cpp with good.sql/bad.sql fixtures.
#pragma once

#include "migrations/lint/rule.h"

namespace ficus::migrations::rules {

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
