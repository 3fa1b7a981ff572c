// One migration file, `<version>_<name>.sql`, parsed: its up and down SQL and the directives found
// in its comments. Parsing never touches a database; every error names the file and line.
//
//   MigrationFile m = parse_migration_file("migrations/20240101120000_add_email.sql", text);
//   if (!m.transaction) ...;  // `-- ficus:no-transaction`
//   for (const BatchDirective& b : m.batches) ...;  // `-- ficus:batch key=id size=1000`
//
// Markers: `-- ficus:up`, `-- ficus:verify` (queries that must return no rows, or one `true`,
// right after up), `-- ficus:down` (dbmate's `-- migrate:up` / `-- migrate:down` too, with
// dbmate's `transaction:false` option). Directives: `-- ficus:no-transaction`,
// `-- ficus:phase expand|backfill|contract`, `-- ficus:allow RULE reason`,
// `-- ficus:batch key=COL size=N sleep_ms=N`, `-- ficus:lock-timeout DURATION`,
// `-- ficus:statement-timeout DURATION`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ficus::migrations {

enum class Phase { kNone, kExpand, kBackfill, kContract };
std::string_view phase_name(Phase phase);  // "" for kNone

// The SQL of one section. `first_line` is the 1-based file line of sql[0], so a byte offset in
// `sql` maps back to a line of the file.
struct Section {
  std::string sql;
  std::size_t first_line = 0;
  bool present = false;
  // O(log n) after the first call: the newline offsets are indexed once (a 14,000-line file has
  // thousands of statements, and counting from the start each time was quadratic).
  std::size_t line_of(std::size_t offset) const;

 private:
  mutable std::vector<std::size_t> newlines_;
  mutable bool indexed_ = false;
};

struct AllowDirective {
  std::string rule;
  std::string reason;
  std::size_t line = 0;
};

// Marks the next UPDATE statement of the up section as a batched backfill.
struct BatchDirective {
  std::string key;
  std::int64_t size = 1000;
  std::int64_t sleep_ms = 0;
  std::size_t line = 0;
};

struct MigrationFile {
  std::string path;
  std::string version;  // UTC yyyymmddhhmmss
  std::string name;
  std::string checksum;  // sha256 of the whole file
  Section up;
  Section verify;  // checks run after `up`; each query must return no rows or one `true`
  Section down;
  bool transaction = true;
  Phase phase = Phase::kNone;
  std::vector<AllowDirective> allows;
  std::vector<BatchDirective> batches;
  std::optional<std::int64_t> lock_timeout_ms;
  std::optional<std::int64_t> statement_timeout_ms;

  bool allows_rule(std::string_view rule_id) const;
};

// Splits `20240101120000_add_email.sql` into version and name; nullopt if it is not that shape.
struct VersionAndName {
  std::string version;
  std::string name;
};
std::optional<VersionAndName> split_file_name(std::string_view file_name);

// kVersioned: the file name must be <version>_<name>.sql (the migrations folder).
// kAnyName: any name; version and name stay empty (`ficus migrate lint some.sql`, fixtures).
enum class FileNaming { kVersioned, kAnyName };

// Parses `text` (the bytes of the file at `path`). Throws MigrationError naming path:line.
MigrationFile parse_migration_file(const std::string& path, std::string_view text,
                                   FileNaming naming = FileNaming::kVersioned);

// Reads and parses the file at `path`.
MigrationFile read_migration_file(const std::string& path,
                                  FileNaming naming = FileNaming::kVersioned);

// "5s", "250ms", "2min", "1h" or a bare number of milliseconds. nullopt when malformed.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);

}  // namespace ficus::migrations
