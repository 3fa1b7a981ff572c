#include "migrations/lint/lock_level.h"

#include <algorithm>

#include "migrations/lint/pg_tree.h"

namespace ficus::migrations {
namespace {

using pg_tree::field;
using pg_tree::flag;
using pg_tree::items;
using pg_tree::relation_name;
using pg_tree::text;
using pg_tree::unwrap;

// The lock one ALTER TABLE subcommand needs (PostgreSQL 15 docs, ALTER TABLE "Notes").
LockMode alter_table_cmd_lock(const nlohmann::json& cmd) {
  std::string subtype = text(cmd, "subtype");
  if (subtype == "AT_ValidateConstraint" || subtype == "AT_SetStatistics" ||
      subtype == "AT_AttachPartition" || subtype == "AT_ClusterOn" || subtype == "AT_DropCluster" ||
      subtype == "AT_SetOptions" || subtype == "AT_ResetOptions")
    return LockMode::kShareUpdateExclusive;
  if (subtype == "AT_EnableTrig" || subtype == "AT_DisableTrig" || subtype == "AT_EnableTrigAll" ||
      subtype == "AT_DisableTrigAll" || subtype == "AT_EnableTrigUser" ||
      subtype == "AT_DisableTrigUser")
    return LockMode::kShareRowExclusive;
  if (subtype == "AT_AddConstraint") {
    auto [type, constraint] = unwrap(field(cmd, "def"));
    if (type == "Constraint" && text(constraint, "contype") == "CONSTR_FOREIGN")
      return LockMode::kShareRowExclusive;
  }
  return LockMode::kAccessExclusive;
}

}  // namespace

std::string_view lock_mode_name(LockMode mode) {
  switch (mode) {
    case LockMode::kNone:
      return "";
    case LockMode::kAccessShare:
      return "ACCESS SHARE";
    case LockMode::kRowShare:
      return "ROW SHARE";
    case LockMode::kRowExclusive:
      return "ROW EXCLUSIVE";
    case LockMode::kShareUpdateExclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockMode::kShare:
      return "SHARE";
    case LockMode::kShareRowExclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockMode::kExclusive:
      return "EXCLUSIVE";
    case LockMode::kAccessExclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "";
}

std::string_view lock_impact(LockMode mode) {
  switch (mode) {
    case LockMode::kNone:
      return "";
    case LockMode::kAccessShare:
    case LockMode::kRowShare:
      return "reads and writes continue; only DROP/ALTER of the table waits";
    case LockMode::kRowExclusive:
      return "reads and other writes continue; writers of the same rows wait until it commits";
    case LockMode::kShareUpdateExclusive:
      return "reads and writes continue; only other schema changes and VACUUM wait";
    case LockMode::kShare:
      return "reads continue but every INSERT, UPDATE and DELETE on the table waits until it "
             "finishes";
    case LockMode::kShareRowExclusive:
    case LockMode::kExclusive:
      return "reads continue but all writes to the table wait until the transaction commits";
    case LockMode::kAccessExclusive:
      return "every query on the table, reads included, waits until the transaction commits; "
             "while it waits for the lock, all later queries queue behind it";
  }
  return "";
}

LockTaken lock_taken(const nlohmann::json& stmt) {
  auto [type, body] = unwrap(stmt);
  if (type == "AlterTableStmt") {
    LockMode mode = LockMode::kNone;
    for (const auto& cmd : items(body, "cmds"))
      mode = std::max(mode, alter_table_cmd_lock(unwrap(cmd).second));
    return {mode, relation_name(field(body, "relation"))};
  }
  if (type == "IndexStmt")
    return {flag(body, "concurrent") ? LockMode::kShareUpdateExclusive : LockMode::kShare,
            relation_name(field(body, "relation"))};
  if (type == "DropStmt") {
    std::string kind = text(body, "removeType");
    std::string target;
    const auto& objects = items(body, "objects");
    if (!objects.empty()) target = pg_tree::dotted_name(items(unwrap(objects[0]).second, "items"));
    if (kind == "OBJECT_INDEX")
      return {
          flag(body, "concurrent") ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive,
          target};
    if (kind == "OBJECT_TABLE" || kind == "OBJECT_VIEW" || kind == "OBJECT_MATVIEW")
      return {LockMode::kAccessExclusive, target};
    return {};
  }
  if (type == "RenameStmt")
    return {LockMode::kAccessExclusive, relation_name(field(body, "relation"))};
  if (type == "UpdateStmt" || type == "DeleteStmt" || type == "InsertStmt")
    return {LockMode::kRowExclusive, relation_name(field(body, "relation"))};
  if (type == "LockStmt") {
    // LockStmt.mode is PostgreSQL's LOCKMODE number: 1 = ACCESS SHARE ... 8 = ACCESS EXCLUSIVE.
    int mode = body.value("mode", 8);
    std::string table;
    const auto& relations = items(body, "relations");
    if (!relations.empty()) table = relation_name(relations[0]);
    return {static_cast<LockMode>(std::clamp(mode, 1, 8)), table};
  }
  if (type == "VacuumStmt") {
    bool full = false;
    for (const auto& option : items(body, "options"))
      full = full || text(unwrap(option).second, "defname") == "full";
    std::string table;
    const auto& rels = items(body, "rels");
    if (!rels.empty()) table = relation_name(field(unwrap(rels[0]).second, "relation"));
    return {full ? LockMode::kAccessExclusive : LockMode::kShareUpdateExclusive, table};
  }
  if (type == "ClusterStmt")
    return {LockMode::kAccessExclusive, relation_name(field(body, "relation"))};
  if (type == "ReindexStmt") {
    bool concurrently = false;
    for (const auto& param : items(body, "params"))
      concurrently = concurrently || text(unwrap(param).second, "defname") == "concurrently";
    return {concurrently ? LockMode::kShareUpdateExclusive : LockMode::kAccessExclusive,
            relation_name(field(body, "relation"))};
  }
  if (type == "CreateTrigStmt")
    return {LockMode::kShareRowExclusive, relation_name(field(body, "relation"))};
  if (type == "SelectStmt") return {LockMode::kAccessShare, ""};
  return {};
}

std::string describe_lock(const LockTaken& lock) {
  if (lock.mode == LockMode::kNone) return {};
  if (lock.table.empty()) return std::string(lock_mode_name(lock.mode));
  return std::string(lock_mode_name(lock.mode)) + " on " + lock.table;
}

}  // namespace ficus::migrations
