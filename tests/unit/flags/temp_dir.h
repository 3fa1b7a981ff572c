// A fresh directory under /tmp for one test, removed afterwards.
//
//   ficus::testing::TempDir dir;
//   dir.write("flags.json", "{...}");
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

namespace ficus::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("ficus-flags-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  // Writes in place (truncate + write), like `>` in a shell.
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary | std::ios::trunc) << text;
    return file(name);
  }
  // Writes a temp file and renames it over `name`, as editors and atomic writers do.
  std::string replace(const std::string& name, const std::string& text) const {
    const auto temp = path_ / ("." + name + ".tmp");
    std::ofstream(temp, std::ios::binary | std::ios::trunc) << text;
    std::filesystem::rename(temp, path_ / name);
    return file(name);
  }

 private:
  std::filesystem::path path_;
};

}  // namespace ficus::testing
