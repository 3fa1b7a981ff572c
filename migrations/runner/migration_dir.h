// The migrations folder: every `<version>_<name>.sql` in it, parsed and sorted by version, and
// `ficus migrate new` which adds a file stamped with the current UTC time.
//
//   std::vector<MigrationFile> all = load_migration_dir("migrations");  // oldest first
//   std::string path = create_migration_file("migrations", "add_email");
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "migrations/runner/migration_file.h"

namespace ficus::migrations {

// Throws MigrationError when the folder is missing, a .sql file is misnamed or does not parse,
// or two files share a version.
std::vector<MigrationFile> load_migration_dir(const std::string& dir);

// Creates `<dir>/<yyyymmddhhmmss>_<name>.sql` with empty up and down sections (creating `dir`
// if needed) and returns its path. `name` must be lowercase letters, digits and underscores.
std::string create_migration_file(
    const std::string& dir, const std::string& name,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace ficus::migrations
