// Cutover plans end to end: the real `ficus serve` binary with a plan on route "orders", two real
// upstreams on loopback, steady traffic from test threads, and a real PostgreSQL holding the
// migration history (applied with the real `ficus migrate up`). Intervals are 1-2 s.
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/asio.hpp>

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

// Keeps requests flowing through the proxy on six keep-alive connections until destroyed (enough
// that requests hanging until the route's timeout still add up to min_requests per interval).
class Traffic {
 public:
  explicit Traffic(std::uint16_t port) {
    for (int i = 0; i < 6; ++i) {
      threads_.emplace_back([this, port] {
        std::unique_ptr<HttpConnection> connection;
        while (!stop_.load()) {
          if (!connection || !connection->is_open()) {
            connection = std::make_unique<HttpConnection>(port, 2s);
          }
          const auto reply = connection->request("GET", "/orders");
          ++(reply.status == 200 ? ok_ : failed_);
        }
      });
    }
  }
  ~Traffic() {
    stop_.store(true);
    for (auto& thread : threads_) thread.join();
  }
  long ok() const { return ok_.load(); }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<long> ok_{0};
  std::atomic<long> failed_{0};
  std::vector<std::thread> threads_;
};

// Answers every request on `port` with 500, keep-alive, until destroyed: a new service that is up
// but broken. (A new service that is down is not a failure users see: the proxy sends those
// requests to old.)
class FailingServer {
 public:
  explicit FailingServer(std::uint16_t port)
      : acceptor_(
            io_, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port)) {
    thread_ = std::thread([this] {
      for (;;) {
        boost::system::error_code ec;
        auto socket = std::make_shared<boost::asio::ip::tcp::socket>(io_);
        acceptor_.accept(*socket, ec);
        if (ec || stop_.load()) return;
        {
          std::lock_guard lock(mutex_);
          sockets_.push_back(socket);
        }
        sessions_.emplace_back([socket] {
          constexpr std::string_view kReply =
              "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
          std::string buffer;
          char chunk[4096];
          boost::system::error_code error;
          while (true) {
            const auto n = socket->read_some(boost::asio::buffer(chunk), error);
            if (error) return;
            buffer.append(chunk, n);
            for (auto end = buffer.find("\r\n\r\n"); end != std::string::npos;
                 end = buffer.find("\r\n\r\n")) {
              buffer.erase(0, end + 4);
              boost::asio::write(*socket, boost::asio::buffer(kReply), error);
              if (error) return;
            }
          }
        });
      }
    });
  }
  ~FailingServer() {
    stop_.store(true);
    boost::system::error_code ignored;
    // Wake the blocking accept with one last connection.
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
    acceptor_.close(ignored);
    {
      // Wakes the sessions' blocking reads with end of stream, so they return before io_ goes.
      std::lock_guard lock(mutex_);
      for (auto& socket : sockets_) ::shutdown(socket->native_handle(), SHUT_RDWR);
    }
    for (auto& session : sessions_) session.join();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> sessions_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
};

class CutoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    old_upstream_ = std::make_unique<TestUpstream>("old");
    new_upstream_ = std::make_unique<TestUpstream>("new");
    old_upstream_->start();
    new_upstream_->start();
    old_upstream_->set_recording(false);
    new_upstream_->set_recording(false);
    dir_ = make_temp_dir();
    database_ = PgEnvironment::server().create_database();
    std::filesystem::create_directories(dir_ / "migrations");
    std::ofstream(dir_ / "migrations" / (std::string(kExpand) + ".sql"))
        << "-- ficus:phase expand\n-- ficus:up\nCREATE TABLE order_status (id int);\n"
           "-- ficus:down\nDROP TABLE order_status;\n";
    std::ofstream(dir_ / "migrations" / (std::string(kContract) + ".sql"))
        << "-- ficus:phase contract\n-- ficus:up\nCREATE TABLE contract_done (id int);\n"
           "-- ficus:down\nDROP TABLE contract_done;\n";
    std::ofstream(dir_ / "flags.json") << R"({"flags": {"orders-cutover": {
        "state": "ENABLED", "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
        "targeting": {"fractional": [["old", 1000000], ["new", 0]]}}}})";
  }
  void TearDown() override {
    proxy_.reset();
    std::filesystem::remove_all(dir_);
  }

  json plan(int step_interval_s) const {
    return {{"database", database_},
            {"expand", {kExpand}},
            {"steps", {25, 50, 100}},
            {"step_interval_s", step_interval_s},
            {"gates",
             {{"min_requests", 10}, {"max_error_rate_delta", 0.05}, {"max_p99_ratio", 1000.0}}},
            {"on_failure", "rollback"},
            {"max_insufficient_intervals", 2},
            {"soak_before_contract_s", 0},
            {"contract", {kContract}},
            {"migrations_dir", (dir_ / "migrations").string()}};
  }
  json config(int step_interval_s) const {
    return {{"threads", 2},
            {"upstreams",
             {{"legacy", {{"endpoints", {old_upstream_->address()}}}},
              {"modern", {{"endpoints", {new_upstream_->address()}}}}}},
            {"flags", {{"sources", {"file:" + (dir_ / "flags.json").string()}}}},
            {"audit_log", {{"path", (dir_ / "audit.jsonl").string()}}},
            {"routes",
             {{{"name", "orders"},
               {"match", {{"path_prefix", "/orders"}}},
               {"old", "legacy"},
               {"new", "modern"},
               {"flag", "orders-cutover"},
               {"timeout_ms", 250},
               {"cutover", plan(step_interval_s)}}}}};
  }
  void start_proxy(int step_interval_s) {
    proxy_ = std::make_unique<ProxyProcess>(config(step_interval_s));
  }

  // `ficus migrate up --to VERSION`; returns its exit code and fills `output`.
  int migrate_up(const std::string& id, std::string* output = nullptr) const {
    const auto out = dir_ / "migrate.out";
    const std::string command = std::string("'") + FICUS_BINARY + "' migrate up --db '" +
                                database_ + "' --dir '" + (dir_ / "migrations").string() +
                                "' --to " + id.substr(0, id.find('_')) + " > '" + out.string() +
                                "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    if (output != nullptr) *output = text.str();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  void apply(const std::string& id) {
    std::string output;
    ASSERT_EQ(migrate_up(id, &output), 0) << output;
  }

  HttpReply admin(const std::string& method, const std::string& path,
                  const std::string& body = "") const {
    return http_request(proxy_->admin_port(), method, path,
                        {{"Content-Type", "application/json"}, {"X-Ficus-Actor", "tester"}}, body);
  }
  json status() const {
    const auto reply = admin("GET", "/admin/cutovers/orders");
    EXPECT_EQ(reply.status, 200U) << reply.body;
    return json::parse(reply.body, nullptr, false);
  }
  // Polls the status until `done` holds; returns the last status.
  template <typename Predicate>
  json wait_for(Predicate done, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    json last;
    while (std::chrono::steady_clock::now() < deadline) {
      last = status();
      if (done(last)) return last;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "timed out; last status: " << last.dump();
    return last;
  }
  std::string audit() const {
    std::ifstream in(dir_ / "audit.jsonl");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::unique_ptr<TestUpstream> old_upstream_;
  std::unique_ptr<TestUpstream> new_upstream_;
  std::filesystem::path dir_;
  std::string database_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(CutoverTest, AHealthyRampReachesOneHundredPercent) {
  apply(kExpand);
  start_proxy(1);
  EXPECT_EQ(status()["state"], "pending");
  Traffic traffic(proxy_->port());
  const auto started = admin("POST", "/admin/cutovers/orders/start", R"({"reason": "go"})");
  ASSERT_EQ(started.status, 200U) << started.body;
  EXPECT_EQ(json::parse(started.body)["share_percent"], 25.0);
  const auto done = wait_for([](const json& s) { return s["state"] == "complete"; }, 20s);
  EXPECT_EQ(done["share_percent"], 100.0);
  EXPECT_EQ(done["step_index"], 2);
  EXPECT_TRUE(done["full_since"].is_string()) << done.dump();
  EXPECT_EQ(done["last_gates"]["verdict"], "pass");
  EXPECT_GE(done["last_gates"]["new"]["requests"].get<long>(), 10);
  EXPECT_GT(traffic.ok(), 0);
  // The engine's steps are audited as actor "cutover", the start as the person who asked.
  const auto trail = audit();
  EXPECT_NE(trail.find(R"("actor":"tester")"), std::string::npos);
  EXPECT_NE(trail.find(R"("actor":"cutover")"), std::string::npos) << trail;
  EXPECT_NE(trail.find(R"("action":"cutover-complete")"), std::string::npos) << trail;
  const auto metrics = http_get(proxy_->admin_port(), "/metrics").body;
  EXPECT_NE(metrics.find(R"(ficus_cutover_state{route="orders",state="complete"} 1)"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find(R"(ficus_cutover_step{route="orders"} 2)"), std::string::npos);
  EXPECT_NE(
      metrics.find(R"(ficus_cutover_gate_result{gate="max_error_rate_delta",route="orders"} 1)"),
      std::string::npos);
}

TEST_F(CutoverTest, ANewUpstreamThatStartsFailingIsRolledBackWithinOneInterval) {
  apply(kExpand);
  start_proxy(2);
  Traffic traffic(proxy_->port());
  ASSERT_EQ(admin("POST", "/admin/cutovers/orders/start").status, 200U);
  wait_for([](const json& s) { return s["step_index"] == 1; }, 10s);
  new_upstream_->stop();
  FailingServer broken(new_upstream_->port());  // every request sent to new now gets a 500
  const auto broke = std::chrono::steady_clock::now();
  const auto failed = wait_for([](const json& s) { return s["state"] == "failed"; }, 10s);
  const auto took = std::chrono::steady_clock::now() - broke;
  EXPECT_LT(took, 2s + 1500ms) << "rolled back after " << (took / 1ms) << " ms";
  EXPECT_EQ(failed["share_percent"], 0.0);
  EXPECT_EQ(failed["last_gates"]["verdict"], "fail");
  EXPECT_NE(failed["paused_reason"].get<std::string>().find("max_error_rate_delta"),
            std::string::npos)
      << failed.dump();
  EXPECT_NE(audit().find(R"("action":"cutover-fail")"), std::string::npos);
}

TEST_F(CutoverTest, WithoutTrafficTheRampHoldsAndThenPauses) {
  apply(kExpand);
  start_proxy(1);
  ASSERT_EQ(admin("POST", "/admin/cutovers/orders/start").status, 200U);
  std::this_thread::sleep_for(1500ms);
  auto held = status();
  EXPECT_EQ(held["step_index"], 0) << held.dump();
  EXPECT_EQ(held["share_percent"], 25.0);
  const auto paused = wait_for([](const json& s) { return s["state"] == "paused"; }, 10s);
  EXPECT_EQ(paused["step_index"], 0);
  EXPECT_EQ(paused["share_percent"], 25.0);
  EXPECT_NE(paused["paused_reason"].get<std::string>().find("too little traffic"),
            std::string::npos)
      << paused.dump();
  EXPECT_EQ(paused["last_gates"]["verdict"], "insufficient-data");
}

TEST_F(CutoverTest, AMissingExpandMigrationRefusesTheRamp) {
  start_proxy(1);
  const auto start = admin("POST", "/admin/cutovers/orders/start");
  EXPECT_EQ(start.status, 409U);
  const auto error = json::parse(start.body)["error"].get<std::string>();
  EXPECT_NE(error.find(std::string("expand migration ") + kExpand + " is not applied"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("run: ficus migrate up --db"), std::string::npos) << error;
  const auto split = admin("PUT", "/admin/routes/orders/split", R"({"percent": 5})");
  EXPECT_EQ(split.status, 409U) << split.body;
  EXPECT_NE(split.body.find(kExpand), std::string::npos);
  const auto now = status();
  EXPECT_EQ(now["state"], "pending");
  EXPECT_EQ(now["share_percent"], 0.0);
  EXPECT_EQ(now["expand_missing"], json::array({kExpand}));
  // Once applied, the same start goes through.
  apply(kExpand);
  EXPECT_EQ(admin("POST", "/admin/cutovers/orders/start").status, 200U);
}

TEST_F(CutoverTest, SendingTrafficBackAfterAContractMigrationIsRefusedUnlessForced) {
  apply(kExpand);
  start_proxy(1);
  ASSERT_EQ(admin("POST", "/admin/cutovers/orders/start").status, 200U);
  ASSERT_EQ(admin("POST", "/admin/cutovers/orders/promote", R"({"full": true})").status, 200U);
  EXPECT_EQ(status()["state"], "complete");
  apply(kContract);
  EXPECT_EQ(status()["contract_applied"], true);

  for (const auto& [method, path, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"PUT", "/admin/routes/orders/split", R"({"percent": 50})"},
           {"POST", "/admin/routes/orders/kill", ""},
           {"POST", "/admin/cutovers/orders/abort", ""}}) {
    const auto refused = admin(method, path, body);
    EXPECT_EQ(refused.status, 409U) << path << ": " << refused.body;
    EXPECT_NE(refused.body.find(kContract), std::string::npos) << refused.body;
    EXPECT_NE(refused.body.find("force"), std::string::npos) << refused.body;
  }
  EXPECT_EQ(status()["share_percent"], 100.0);

  const auto forced =
      admin("POST", "/admin/cutovers/orders/abort", R"({"force": true, "reason": "data bug"})");
  ASSERT_EQ(forced.status, 200U) << forced.body;
  EXPECT_EQ(json::parse(forced.body)["share_percent"], 0.0);
  EXPECT_EQ(json::parse(forced.body)["state"], "failed");
  const auto trail = audit();
  EXPECT_NE(trail.find(R"("action":"split-forced")"), std::string::npos) << trail;
  EXPECT_NE(trail.find(std::string("forced: contract migration ") + kContract), std::string::npos);
}

TEST_F(CutoverTest, ARestartMidRampResumesTheSameStepCountingTimeAlreadySpent) {
  apply(kExpand);
  start_proxy(30);
  ASSERT_EQ(admin("POST", "/admin/cutovers/orders/start").status, 200U);
  ASSERT_EQ(admin("POST", "/admin/cutovers/orders/promote").status, 200U);
  std::this_thread::sleep_for(1500ms);
  proxy_->signal(SIGTERM);
  ASSERT_EQ(proxy_->wait_exit(), 0);
  start_proxy(30);
  const auto resumed = status();
  EXPECT_EQ(resumed["state"], "progressing") << resumed.dump();
  EXPECT_EQ(resumed["step_index"], 1);
  EXPECT_EQ(resumed["share_percent"], 50.0);
  EXPECT_GE(resumed["time_in_step_s"].get<double>(), 1.2) << resumed.dump();
  EXPECT_LT(resumed["time_in_step_s"].get<double>(), 10.0) << "downtime is not counted";
}

TEST_F(CutoverTest, ACrashAndRestartLosesNoAcknowledgedCutoverStep) {
  apply(kExpand);
  start_proxy(30);
  ASSERT_EQ(admin("POST", "/admin/cutovers/orders/start").status, 200U);
  ASSERT_EQ(admin("POST", "/admin/cutovers/orders/promote").status, 200U);
  proxy_->signal(SIGKILL);  // right after the acknowledgement
  proxy_->wait_exit();
  start_proxy(30);
  const auto resumed = status();
  EXPECT_EQ(resumed["state"], "progressing") << resumed.dump();
  EXPECT_EQ(resumed["step_index"], 1);
  EXPECT_EQ(resumed["share_percent"], 50.0);
}

TEST_F(CutoverTest, TheCliStartsPromotesAndShowsTheCutover) {
  apply(kExpand);
  start_proxy(30);
  const auto out = dir_ / "cli.out";
  const auto ficus = [&](const std::string& args) {
    const std::string command = std::string("'") + FICUS_BINARY + "' cutover " + args +
                                " --admin 127.0.0.1:" + std::to_string(proxy_->admin_port()) +
                                " --actor cli-user > '" + out.string() + "' 2>&1";
    const int status = std::system(command.c_str());
    std::ifstream in(out);
    std::stringstream text;
    text << in.rdbuf();
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, text.str());
  };
  auto [started, start_text] = ficus("start orders --reason 'ramp it'");
  EXPECT_EQ(started, 0) << start_text;
  EXPECT_NE(start_text.find("route orders: progressing, 25% new"), std::string::npos) << start_text;
  auto [shown, json_text] = ficus("status orders --json");
  ASSERT_EQ(shown, 0) << json_text;
  EXPECT_EQ(json::parse(json_text)["step_index"], 0);
  auto [promoted, promote_text] = ficus("promote orders --full");
  EXPECT_EQ(promoted, 0) << promote_text;
  auto [listed, table] = ficus("status");
  EXPECT_EQ(listed, 0) << table;
  EXPECT_NE(table.find("complete"), std::string::npos) << table;
  auto [refused, refusal] = ficus("resume orders");
  EXPECT_EQ(refused, 1);
  EXPECT_NE(refusal.find("HTTP 409"), std::string::npos) << refusal;
  EXPECT_NE(audit().find(R"("actor":"cli-user")"), std::string::npos);
}

}  // namespace
}  // namespace ficus::testing
