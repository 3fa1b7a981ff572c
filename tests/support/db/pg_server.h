// A real PostgreSQL server for tests: initdb into a fresh temp dir, pg_ctl start on a free
// loopback port (socket in the temp dir), and on destruction stop it and delete everything.
// When the tests run as root, initdb/pg_ctl run as `postgres` through `runuser -u postgres --`
// (initdb refuses root) with the temp dir chowned to postgres. Start it once per test binary:
//
//   int main(int argc, char** argv) {
//     ::testing::InitGoogleTest(&argc, argv);
//     ::testing::AddGlobalTestEnvironment(new ficus::testing::PgEnvironment);
//     return RUN_ALL_TESTS();
//   }
//   TEST(Thing, Works) {
//     std::string url = ficus::testing::PgEnvironment::server().create_database();
//     // url = "postgres://postgres@127.0.0.1:PORT/test_3"
//   }
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace ficus::testing {

class PgServer {
 public:
  PgServer();   // throws std::runtime_error with initdb/pg_ctl output when the server won't start
  ~PgServer();  // stops the server (immediate) and removes the temp dir
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  int port() const { return port_; }
  // Connection URL for database `db` as the `postgres` superuser (trust auth).
  std::string url(const std::string& db = "postgres") const;
  // Creates a fresh empty database and returns its URL; each call gets a new name.
  std::string create_database();
  // Directory of the PostgreSQL 15 binaries (initdb, pg_ctl, psql).
  static std::string bin_dir();

 private:
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const;

  std::string root_;  // temp dir: data/, socket, log
  int port_ = 0;
  bool running_ = false;
  int next_db_ = 0;
};

// gtest Environment that owns the one PgServer of a test binary.
class PgEnvironment : public ::testing::Environment {
 public:
  void SetUp() override;
  void TearDown() override;
  static PgServer& server();

 private:
  static std::unique_ptr<PgServer>& instance();
};

}  // namespace ficus::testing
