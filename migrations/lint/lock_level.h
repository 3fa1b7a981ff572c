// Which table lock a PostgreSQL statement takes, from its parse tree, and what that lock does to
// live traffic. Used by `plan` (locks per statement) and by rules that quote the lock.
//
//   LockTaken lock = lock_taken(stmt);   // {kAccessExclusive, "users"} for ALTER TABLE users ...
//   fmt::print("{} on {}: {}\n", lock_mode_name(lock.mode), lock.table, lock_impact(lock.mode));
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ficus::migrations {

// PostgreSQL's table lock modes, weakest first.
enum class LockMode {
  kNone,
  kAccessShare,
  kRowShare,
  kRowExclusive,
  kShareUpdateExclusive,
  kShare,
  kShareRowExclusive,
  kExclusive,
  kAccessExclusive,
};

struct LockTaken {
  LockMode mode = LockMode::kNone;
  std::string table;  // the table (or index) locked; empty when none
};

std::string_view lock_mode_name(LockMode mode);  // "ACCESS EXCLUSIVE"
std::string_view lock_impact(LockMode mode);     // what it blocks, in words

// `stmt` is one element of the parse tree's "stmts"[i]["stmt"], e.g. {"AlterTableStmt": {...}}.
LockTaken lock_taken(const nlohmann::json& stmt);

// "ACCESS EXCLUSIVE on users" or "" for kNone.
std::string describe_lock(const LockTaken& lock);

}  // namespace ficus::migrations
