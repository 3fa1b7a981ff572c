// Drift between the migrations folder and the history table: an applied file that was edited
// (checksum differs), an applied migration whose file is gone, or a pending file older than the
// newest applied one (it would run out of order). `verify` prints these; `up` refuses them.
//
//   for (const Drift& d : find_drift(load_migration_dir("migrations"), history.applied()))
//     std::cerr << describe(d) << '\n';
#pragma once

#include <string>
#include <vector>

#include "migrations/runner/history.h"
#include "migrations/runner/migration_file.h"

namespace ficus::migrations {

enum class DriftKind { kEdited, kMissing, kOutOfOrder };

struct Drift {
  DriftKind kind;
  std::string version;
  std::string name;
  std::string path;  // empty for kMissing
};

std::vector<Drift> find_drift(const std::vector<MigrationFile>& files,
                              const std::vector<AppliedMigration>& applied);

// One line saying what drifted and what to do about it.
std::string describe(const Drift& drift);

}  // namespace ficus::migrations
