// The lock view of `ficus migrate up` on a real PostgreSQL: while another session holds a lock
// the migration needs, the progress output names that backend (pid, application, state).
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "migrations/runner/driver.h"
#include "migrations/runner/lock_sampler.h"
#include "migrations/runner/progress.h"
#include "migrations/runner/runner.h"
#include "tests/support/db/pg_server.h"
#include "tests/support/db/process.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::migrations {
namespace {

// A session that holds ACCESS EXCLUSIVE on `accounts` in an open transaction.
class Blocker {
 public:
  explicit Blocker(const std::string& url) : db_(open_driver(url)) {
    db_->execute("SET application_name = 'blocker-under-test'");
    db_->execute("BEGIN");
    db_->execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
    pid_ = db_->query("SELECT pg_backend_pid()").at(0).at(0).value_or("");
  }
  ~Blocker() { db_->execute("ROLLBACK"); }
  const std::string& pid() const { return pid_; }

 private:
  std::unique_ptr<MigrationDriver> db_;
  std::string pid_;
};

class LockView : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = testing::PgEnvironment::server().create_database();
    open_driver(url_)->execute("CREATE TABLE accounts (id integer)");
    tmp_.write("migrations/20240101000000_note.sql",
               "-- ficus:up\nALTER TABLE accounts ADD COLUMN note text;\n");
  }
  testing::ProcessResult up(std::vector<std::string> extra) {
    std::vector<std::string> argv = {"env",
                                     "-u",
                                     "DATABASE_URL",
                                     "-u",
                                     "FICUS_CONFIG",
                                     FICUS_MIGRATE_CLI,
                                     "migrate",
                                     "up",
                                     "--db",
                                     url_,
                                     "--dir",
                                     tmp_.path() + "/migrations",
                                     "--lock-timeout",
                                     "1500ms",
                                     "--lock-retries",
                                     "0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return testing::run_process(argv);
  }

  testing::TempDir tmp_;
  std::string url_;
};

TEST_F(LockView, JsonProgressNamesTheBlockingBackend) {
  Blocker blocker(url_);
  testing::ProcessResult r = up({"--json"});
  EXPECT_EQ(r.exit_code, 1) << r.output;  // gave up after the lock timeout
  bool named = false;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with("{")) continue;
    nlohmann::json event = nlohmann::json::parse(line);
    if (event["event"] != "lock_wait") continue;
    EXPECT_EQ(event["blocking_pid"].get<long>(), std::stol(blocker.pid())) << line;
    EXPECT_EQ(event["blocking_application"], "blocker-under-test") << line;
    EXPECT_EQ(event["blocking_state"], "idle in transaction") << line;
    EXPECT_EQ(event["relation"], "public.accounts") << line;
    named = true;
  }
  EXPECT_TRUE(named) << r.output;
}

TEST_F(LockView, LogLinesNameTheBlockingBackendWhenNotATerminal) {
  Blocker blocker(url_);
  testing::ProcessResult r = up({});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("20240101000000_note.sql:2: ALTER TABLE accounts"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("waiting for ACCESS EXCLUSIVE on public.accounts held by backend " +
                          blocker.pid() + " (blocker-under-test, idle in transaction"),
            std::string::npos)
      << r.output;
}

TEST_F(LockView, JsonProgressWithoutContentionHasStartAndDoneEvents) {
  testing::ProcessResult r = up({"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(R"("event":"statement_start")"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(R"("event":"migration_done")"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(R"("event":"lock_wait")"), std::string::npos) << r.output;
}

TEST_F(LockView, SamplerSeesNoWaitOnceTheBlockerIsGone) {
  auto migration = open_driver(url_);
  std::string pid = migration->query("SELECT pg_backend_pid()").at(0).at(0).value_or("");
  LockSampler sampler(url_, pid);
  std::optional<Blocker> blocker(url_);
  migration->execute("SET lock_timeout = '5s'");
  std::thread runner([&] { migration->execute("ALTER TABLE accounts ADD COLUMN x int"); });
  std::optional<LockWait> wait;
  for (int i = 0; i < 200 && !wait; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    sampler.sample_now();
    wait = sampler.current_wait();
  }
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(wait->blocking_pid, blocker->pid());
  blocker.reset();
  runner.join();
  sampler.sample_now();
  EXPECT_FALSE(sampler.current_wait().has_value());
}

}  // namespace
}  // namespace ficus::migrations
