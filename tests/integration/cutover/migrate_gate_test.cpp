// `ficus migrate` under a cutover plan, end to end: the real `ficus` binary runs `migrate up` /
// `migrate down --config FILE` against a real database (SQLite file, and the shared PostgreSQL)
// while the real proxy, running the same config, serves GET /admin/cutovers/{route}.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/integration/proxy/http_client.h"
#include "tests/integration/proxy/proxy_process.h"
#include "tests/support/db/pg_server.h"
#include "tests/support/upstream/test_upstream.h"

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kExpand = "20261124120000_add_status_nullable";
constexpr const char* kContract = "20261125090000_drop_old_status";

struct MigrateRun {
  int exit_code = -1;
  std::string output;
};

class MigrateGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_upstream_.start();
    new_upstream_.start();
    dir_ = make_temp_dir();
    std::filesystem::create_directories(dir_ / "migrations");
    std::ofstream(dir_ / "migrations" / (std::string(kExpand) + ".sql"))
        << "-- ficus:phase expand\n-- ficus:up\nCREATE TABLE users_status (id int);\n"
           "-- ficus:down\nDROP TABLE users_status;\n";
    std::ofstream(dir_ / "migrations" / (std::string(kContract) + ".sql"))
        << "-- ficus:phase contract\n-- ficus:up\nCREATE TABLE old_status_dropped (id int);\n"
           "-- ficus:down\nDROP TABLE old_status_dropped;\n";
    std::ofstream(dir_ / "flags.json") << R"({"flags": {"users-v2": {
        "state": "ENABLED", "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
        "targeting": {"fractional": [["old", 1000000], ["new", 0]]}}}})";
    database_ = "sqlite:" + (dir_ / "app.db").string();
  }
  void TearDown() override {
    proxy_.reset();
    std::filesystem::remove_all(dir_);
  }

  json config(int soak_s) const {
    return {{"upstreams",
             {{"users-v1", {{"endpoints", {old_upstream_.address()}}}},
              {"users-v2", {{"endpoints", {new_upstream_.address()}}}}}},
            {"flags", {{"sources", {"file:" + (dir_ / "flags.json").string()}}}},
            {"audit_log", {{"path", (dir_ / "audit.jsonl").string()}}},
            {"routes",
             {{{"name", "users"},
               {"old", "users-v1"},
               {"new", "users-v2"},
               {"flag", "users-v2"},
               {"cutover",
                {{"database", database_},
                 {"expand", {kExpand}},
                 {"steps", {25, 100}},
                 {"step_interval_s", 600},
                 {"soak_before_contract_s", soak_s},
                 {"contract", {kContract}},
                 {"migrations_dir", (dir_ / "migrations").string()}}}}}}};
  }
  void start_proxy(int soak_s) {
    proxy_ = std::make_unique<ProxyProcess>(config(soak_s));
    config_path_ = proxy_->config_path();
  }
  // The config without a proxy running it: its admin port is free.
  void write_config_without_proxy(int soak_s) {
    json c = config(soak_s);
    c["admin"] = {{"listen", "127.0.0.1:" + std::to_string(free_port())}};
    config_path_ = dir_ / "ficus.json";
    std::ofstream(config_path_) << c.dump(2);
  }

  // `ficus migrate ARGS --db DB --dir DIR [--config FILE]`.
  MigrateRun migrate(const std::string& args, bool with_config = true) const {
    const auto out = dir_ / "migrate.out";
    std::string command = std::string("env -u FICUS_CONFIG -u DATABASE_URL '") + FICUS_BINARY +
                          "' migrate " + args + " --db '" + database_ + "' --dir '" +
                          (dir_ / "migrations").string() + "'";
    if (with_config) command += " --config '" + config_path_.string() + "'";
    command += " > '" + out.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str()};
  }
  void apply_expand() {
    MigrateRun r = migrate(std::string("up --to ") + std::string(kExpand).substr(0, 14));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  void split(double percent) {
    const auto reply =
        http_request(proxy_->admin_port(), "PUT", "/admin/routes/users/split",
                     {{"Content-Type", "application/json"}, {"X-Ficus-Actor", "tester"}},
                     json{{"percent", percent}, {"reason", "test"}}.dump());
    ASSERT_EQ(reply.status, 200U) << reply.body;
  }
  json status() const {
    const auto reply = http_get(proxy_->admin_port(), "/admin/cutovers/users");
    EXPECT_EQ(reply.status, 200U) << reply.body;
    return json::parse(reply.body, nullptr, false);
  }
  // Waits until the engine has seen the share at 100 % for `seconds` (it observes shares on its
  // twice-a-second tick).
  void wait_full_for(double seconds) const {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      json s = status();
      if (s["full_for_s"].is_number() && s["full_for_s"].get<double>() >= seconds) return;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "full_for_s never reached " << seconds << ": " << status().dump();
  }
  bool contract_applied() const {
    return migrate("status", false).output.find(std::string("applied  ") + kContract) !=
           std::string::npos;
  }

  TestUpstream old_upstream_{"old"};
  TestUpstream new_upstream_{"new"};
  std::filesystem::path dir_;
  std::filesystem::path config_path_;
  std::string database_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(MigrateGateTest, ContractBeforeTheSoakIsRefusedNamingTheRouteAndTheTimeLeft) {
  start_proxy(3600);
  apply_expand();
  split(100);
  wait_full_for(0);
  MigrateRun r = migrate("up");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(std::string("refusing to apply ") + (dir_ / "migrations").string() + "/" +
                          kContract + ".sql: route \"users\" has been at 100 % new for"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("of its 1h 0m soak (soak_before_contract_s): 1h 0m left"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("nothing was applied"), std::string::npos);
  EXPECT_FALSE(contract_applied());
}

TEST_F(MigrateGateTest, ContractBelowOneHundredPercentIsRefused) {
  start_proxy(0);
  apply_expand();
  split(25);
  MigrateRun r = migrate("up");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("route \"users\" sends 25 % of its traffic to new"), std::string::npos)
      << r.output;
  // `plan` shows the same refusal without applying anything.
  MigrateRun plan = migrate("plan");
  EXPECT_EQ(plan.exit_code, 0) << plan.output;
  EXPECT_NE(plan.output.find("`up` would refuse this migration: route \"users\" sends 25 %"),
            std::string::npos)
      << plan.output;
  EXPECT_FALSE(contract_applied());
}

TEST_F(MigrateGateTest, ContractAfterTheSoakAtOneHundredPercentApplies) {
  start_proxy(1);
  apply_expand();
  split(100);
  wait_full_for(1.0);
  MigrateRun r = migrate("up");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contract_applied()) << migrate("status", false).output;
}

TEST_F(MigrateGateTest, ProxyDownRefusesListedContractButAppliesTheRest) {
  write_config_without_proxy(0);
  MigrateRun r = migrate("up");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("the cutover state of route \"users\" is unknown: cannot reach admin "
                          "API at 127.0.0.1:"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("start the proxy with this config (ficus serve --config " +
                          config_path_.string() + ")"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(contract_applied());
  apply_expand();  // the expand migration needs no proxy
}

TEST_F(MigrateGateTest, WithoutAConfigNoPlanIsKnownAndContractAppliesWithANote) {
  write_config_without_proxy(0);
  MigrateRun r = migrate("up", /*with_config=*/false);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(std::string("note: ") + kContract +
                          " is a contract migration and no config was given"),
            std::string::npos)
      << r.output;
}

TEST_F(MigrateGateTest, DownOfExpandIsRefusedWhileTheRouteSendsTrafficToNew) {
  start_proxy(3600);
  apply_expand();
  split(25);
  MigrateRun refused = migrate("down");
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("route \"users\" still sends 25 % of its traffic to new, whose "
                                "code needs expand migration " +
                                std::string(kExpand)),
            std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("nothing was rolled back"), std::string::npos);
  split(0);
  MigrateRun allowed = migrate("down");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.output;
}

TEST_F(MigrateGateTest, OnPostgresTheContractWaitsForTheSoakToo) {
  database_ = PgEnvironment::server().create_database();
  start_proxy(3600);
  apply_expand();
  split(100);
  wait_full_for(0);
  MigrateRun r = migrate("up");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("route \"users\" has been at 100 % new for"), std::string::npos)
      << r.output;
  EXPECT_EQ(migrate("status", false).output.find(std::string("applied  ") + kContract),
            std::string::npos);
}

}  // namespace
}  // namespace ficus::testing
