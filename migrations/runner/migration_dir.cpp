#include "migrations/runner/migration_dir.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "migrations/runner/migration_error.h"

namespace ficus::migrations {

namespace fs = std::filesystem;

std::vector<MigrationFile> load_migration_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw MigrationError(fmt::format(
        "migrations folder `{}` does not exist; pass --dir or create one with `ficus migrate new "
        "NAME`",
        dir));
  std::vector<MigrationFile> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    files.push_back(read_migration_file(entry.path().string()));
  }
  std::sort(files.begin(), files.end(),
            [](const MigrationFile& a, const MigrationFile& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < files.size(); ++i) {
    if (files[i].version == files[i - 1].version)
      throw MigrationError(fmt::format("{} and {} share version {}; give one a new version",
                                       files[i - 1].path, files[i].path, files[i].version));
  }
  return files;
}

std::string create_migration_file(const std::string& dir, const std::string& name,
                                  std::chrono::system_clock::time_point now) {
  bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
  if (!valid)
    throw MigrationError(fmt::format(
        "migration name `{}` must be lowercase letters, digits and underscores, e.g. add_email",
        name));
  fs::create_directories(dir);
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);  // versions are UTC so files made in different zones still sort
  std::string path = (fs::path(dir) / fmt::format("{:%Y%m%d%H%M%S}_{}.sql", utc, name)).string();
  if (fs::exists(path))
    throw MigrationError(
        fmt::format("{} already exists; wait a second or pick another name", path));
  std::ofstream out(path);
  out << "-- ficus:up\n\n\n-- ficus:down\n\n";
  if (!out) throw MigrationError(fmt::format("{}: cannot write the file", path));
  return path;
}

}  // namespace ficus::migrations
