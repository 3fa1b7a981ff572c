// Temporary directories and SQLite databases for tests, removed when the object goes away.
//
//   TempDir dir;                           // /tmp/ficus-test-XXXXXX
//   dir.write("migrations/20240101000000_init.sql", "-- ficus:up\nCREATE TABLE t (id int);\n");
//   TempSqlite db;                         // db.url() == "sqlite:/tmp/ficus-sqlite-XXXXXX/test.db"
#pragma once

#include <string>

namespace ficus::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Writes `content` to path()/relative (creating folders) and returns the full path.
  std::string write(const std::string& relative, const std::string& content) const;
  std::string read(const std::string& relative) const;

 private:
  std::string path_;
};

class TempSqlite {
 public:
  const std::string& path() const { return path_; }
  std::string url() const { return "sqlite:" + path_; }

 private:
  TempDir dir_;
  std::string path_ = dir_.path() + "/test.db";
};

}  // namespace ficus::testing
