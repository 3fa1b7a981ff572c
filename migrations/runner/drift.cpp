#include "migrations/runner/drift.h"

#include <map>

#include <fmt/format.h>

namespace ficus::migrations {

std::vector<Drift> find_drift(const std::vector<MigrationFile>& files,
                              const std::vector<AppliedMigration>& applied) {
  std::map<std::string, const MigrationFile*> by_version;
  for (const MigrationFile& f : files) by_version[f.version] = &f;
  std::map<std::string, const AppliedMigration*> applied_by_version;
  std::string newest_applied;
  std::vector<Drift> out;
  for (const AppliedMigration& a : applied) {
    applied_by_version[a.version] = &a;
    newest_applied = std::max(newest_applied, a.version);
    auto file = by_version.find(a.version);
    if (file == by_version.end()) {
      out.push_back({DriftKind::kMissing, a.version, a.name, ""});
    } else if (file->second->checksum != a.checksum) {
      out.push_back({DriftKind::kEdited, a.version, a.name, file->second->path});
    }
  }
  for (const MigrationFile& f : files) {
    if (!applied_by_version.contains(f.version) && f.version < newest_applied)
      out.push_back({DriftKind::kOutOfOrder, f.version, f.name, f.path});
  }
  return out;
}

std::string describe(const Drift& drift) {
  switch (drift.kind) {
    case DriftKind::kEdited:
      return fmt::format(
          "edited: {} was changed after it was applied (checksum differs); restore "
          "it and put the change in a new migration",
          drift.path);
    case DriftKind::kMissing:
      return fmt::format(
          "missing: {}_{} is applied but its file is gone from the migrations "
          "folder; restore the file",
          drift.version, drift.name);
    case DriftKind::kOutOfOrder:
      return fmt::format(
          "out of order: {} is pending but older than the newest applied "
          "migration; give it a newer version, or apply it with `ficus migrate up "
          "--allow-drift`",
          drift.path);
  }
  return {};
}

}  // namespace ficus::migrations
