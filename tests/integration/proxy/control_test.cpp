// The split/kill/restore admin API and `ficus flags` CLI against the real binary.
#include <atomic>
#include <fstream>
#include <thread>

#include "tests/integration/proxy/proxy_fixture.h"

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;

class ControlTest : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    dir_ = make_temp_dir();
    std::ofstream(dir_ / "flags.json") << R"({"flags": {"orders-cutover": {
        "state": "ENABLED", "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
        "targeting": {"fractional": [["old", 1000000], ["new", 0]]}}}})";
    auto config = base_config();
    config["flags"] = {{"sources", {"file:" + (dir_ / "flags.json").string()}}};
    config["audit_log"] = {{"path", (dir_ / "audit.jsonl").string()}};
    config["routes"][0]["flag"] = "orders-cutover";
    config["routes"][0]["bucket_by"] = {{"header", "x-user-id"}};
    proxy_ = std::make_unique<ProxyProcess>(config);
  }
  void TearDown() override {
    proxy_.reset();
    std::filesystem::remove_all(dir_);
  }
  HttpReply admin(const std::string& method, const std::string& path,
                  const std::string& body = "") {
    return http_request(proxy_->admin_port(), method, path,
                        {{"Content-Type", "application/json"}, {"X-Ficus-Actor", "test"}}, body);
  }
  std::string scrape() { return http_get(proxy_->admin_port(), "/metrics").body; }

  std::filesystem::path dir_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(ControlTest, SplitThroughTheApiMovesTrafficAndIsAudited) {
  EXPECT_EQ(http_get(proxy_->port(), "/orders", {{"x-user-id", "a"}}).header("x-ficus-target"),
            "old");
  auto split = admin("PUT", "/admin/routes/orders/split", R"({"percent": 100, "reason": "go"})");
  ASSERT_EQ(split.status, 200) << split.body;
  EXPECT_EQ(http_get(proxy_->port(), "/orders", {{"x-user-id", "a"}}).header("x-ficus-target"),
            "new");
  auto routes = nlohmann::json::parse(admin("GET", "/admin/routes").body);
  EXPECT_NE(routes.dump().find("orders-cutover"), std::string::npos) << routes.dump();
  auto audit = admin("GET", "/admin/audit?route=orders");
  ASSERT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("\"test\""), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find("go"), std::string::npos) << audit.body;
  EXPECT_NE(scrape().find("ficus_route_new_share{route=\"orders\"} 1"), std::string::npos);
}

TEST_F(ControlTest, KillUnderLoadTakesEffectWithin100msWithZeroFailedRequests) {
  ASSERT_EQ(admin("PUT", "/admin/routes/orders/split", R"({"percent": 100})").status, 200);
  std::atomic<bool> stop{false};
  std::atomic<long long> killed_at_ns{0};
  std::atomic<int> failed{0}, total{0}, new_after_kill{0};
  auto load = [&](int id) {
    HttpConnection client(proxy_->port());
    for (int i = 0; !stop.load(); ++i) {
      auto reply =
          client.request("GET", "/orders", {{"x-user-id", "u" + std::to_string(id * 100000 + i)}});
      auto now = std::chrono::steady_clock::now().time_since_epoch().count();
      ++total;
      if (reply.status != 200) ++failed;
      auto at = killed_at_ns.load();
      if (at != 0 && now - at > 100'000'000 && reply.header("x-ficus-target") == "new") {
        ++new_after_kill;
      }
    }
  };
  std::thread a(load, 1), b(load, 2);
  std::this_thread::sleep_for(300ms);
  auto kill = admin("POST", "/admin/routes/orders/kill", R"({"reason": "errors"})");
  killed_at_ns = std::chrono::steady_clock::now().time_since_epoch().count();
  ASSERT_EQ(kill.status, 200) << kill.body;
  std::this_thread::sleep_for(400ms);
  stop = true;
  a.join();
  b.join();
  EXPECT_EQ(failed.load(), 0) << "of " << total.load();
  EXPECT_EQ(new_after_kill.load(), 0);
  EXPECT_GT(total.load(), 50);
  EXPECT_NE(scrape().find("ficus_route_killed{route=\"orders\"} 1"), std::string::npos);

  ASSERT_EQ(admin("POST", "/admin/routes/orders/restore").status, 200);
  EXPECT_EQ(http_get(proxy_->port(), "/orders", {{"x-user-id", "z"}}).header("x-ficus-target"),
            "new")
      << "restore returns to the share before the kill";
}

TEST_F(ControlTest, BadAdminInputIs4xxAndChangesNothing) {
  auto before = admin("GET", "/admin/routes").body;
  EXPECT_EQ(admin("PUT", "/admin/routes/nope/split", R"({"percent": 5})").status, 404);
  EXPECT_EQ(admin("PUT", "/admin/routes/orders/split", R"({"percent": 101})").status, 400);
  EXPECT_EQ(admin("PUT", "/admin/routes/orders/split", R"({"percent": -1})").status, 400);
  EXPECT_EQ(admin("PUT", "/admin/routes/orders/split", "{not json").status, 400);
  EXPECT_EQ(admin("GET", "/admin/routes").body, before);
}

TEST_F(ControlTest, FlagsCliTalksToTheAdminApi) {
  std::string address = "127.0.0.1:" + std::to_string(proxy_->admin_port());
  std::string ficus = FICUS_BINARY;
  auto run = [&](const std::string& args) {
    return std::system((ficus + " flags " + args + " --admin " + address + " > " +
                        (dir_ / "cli.out").string() + " 2>&1")
                           .c_str());
  };
  EXPECT_EQ(run("split orders 25 --reason ramp"), 0);
  EXPECT_EQ(run("status"), 0);
  std::ifstream out(dir_ / "cli.out");
  std::string text((std::istreambuf_iterator<char>(out)), {});
  EXPECT_NE(text.find("orders"), std::string::npos) << text;
  EXPECT_NE(text.find("25"), std::string::npos) << text;
  EXPECT_NE(run("kill nope"), 0);
}

}  // namespace
}  // namespace ficus::testing
