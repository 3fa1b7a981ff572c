// Admin endpoints, reloads and graceful drain of the real process.
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <thread>

#include "tests/integration/proxy/proxy_fixture.h"

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(ProxyTest, AdminHealthReadyAndEffectiveConfig) {
  ProxyProcess proxy(base_config());
  EXPECT_EQ(http_get(proxy.admin_port(), "/healthz").status, 200);
  auto ready = http_get(proxy.admin_port(), "/readyz");
  EXPECT_EQ(ready.status, 200);
  auto config = http_get(proxy.admin_port(), "/admin/config");
  ASSERT_EQ(config.status, 200);
  auto body = nlohmann::json::parse(config.body);
  EXPECT_EQ(body["routes"].size(), 2u);
  EXPECT_EQ(http_get(proxy.admin_port(), "/admin/nope").status, 404);
}

TEST_F(ProxyTest, AdminTokenGuardsEverythingButHealthAndIsRedacted) {
  ::setenv("FICUS_TEST_ADMIN_TOKEN", "s3cret-token-value", 1);
  auto config = base_config();
  config["admin"] = {{"token_env", "FICUS_TEST_ADMIN_TOKEN"}};
  ProxyProcess proxy(config);
  ::unsetenv("FICUS_TEST_ADMIN_TOKEN");
  EXPECT_EQ(http_get(proxy.admin_port(), "/healthz").status, 200);
  EXPECT_EQ(http_get(proxy.admin_port(), "/readyz").status, 200);
  EXPECT_EQ(http_get(proxy.admin_port(), "/admin/config").status, 401);
  EXPECT_EQ(http_get(proxy.admin_port(), "/admin/config",
                     {{"Authorization", "Bearer wrong-token-value!"}})
                .status,
            401);
  auto ok = http_get(proxy.admin_port(), "/admin/config",
                     {{"Authorization", "Bearer s3cret-token-value"}});
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body.find("s3cret-token-value"), std::string::npos) << "token must be redacted";
  EXPECT_EQ(proxy.log().find("s3cret-token-value"), std::string::npos);
}

TEST_F(ProxyTest, SigtermDrainsInFlightRequestsAndExitsZero) {
  ProxyProcess proxy(base_config());
  auto in_flight =
      std::async(std::launch::async, [&] { return http_get(proxy.port(), "/delay?ms=800"); });
  ASSERT_TRUE(old_upstream_->wait_for_requests(1, 2s));
  proxy.signal(SIGTERM);
  ASSERT_TRUE(proxy.wait_for_log("draining"));
  // No new connections once draining.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(http_get(proxy.port(), "/orders").status, 0u);
  auto reply = in_flight.get();
  EXPECT_EQ(reply.status, 200) << reply.error;
  EXPECT_EQ(proxy.wait_exit(), 0) << proxy.log();
}

// The cutover state file is for plans; a proxy with none (the demo runs from examples/) leaves
// nothing next to its config.
TEST_F(ProxyTest, ProxyWithoutCutoverPlansWritesNoStateFileNextToItsConfig) {
  ProxyProcess proxy(base_config());
  ASSERT_EQ(http_get(proxy.port(), "/orders").status, 200);
  proxy.signal(SIGTERM);
  ASSERT_EQ(proxy.wait_exit(), 0) << proxy.log();
  EXPECT_FALSE(std::filesystem::exists(proxy.dir() / "ficus-cutover-state.json"));
}

TEST_F(ProxyTest, DrainClosesIdleKeepAliveConnectionsPromptly) {
  ProxyProcess proxy(base_config());
  HttpConnection idle(proxy.port());
  ASSERT_EQ(idle.request("GET", "/orders").status, 200);
  auto start = std::chrono::steady_clock::now();
  proxy.signal(SIGTERM);
  EXPECT_EQ(proxy.wait_exit(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(ProxyTest, ValidReloadAppliesToNewRequestsButNotToOneInFlight) {
  ProxyProcess proxy(base_config());
  auto in_flight =
      std::async(std::launch::async, [&] { return http_get(proxy.port(), "/delay?ms=700"); });
  ASSERT_TRUE(old_upstream_->wait_for_requests(1, 2s));
  auto config = proxy.config();
  config["routes"][1]["old"] = "modern";  // default route now goes to the new upstream
  proxy.write_config(config);
  proxy.signal(SIGHUP);
  ASSERT_TRUE(proxy.wait_for_log("config reloaded"));
  EXPECT_EQ(http_get(proxy.port(), "/anything").header("x-upstream-name"), "new");
  auto finished = in_flight.get();
  EXPECT_EQ(finished.status, 200);
  EXPECT_EQ(finished.header("x-upstream-name"), "old");
}

TEST_F(ProxyTest, InvalidReloadIsLoggedAndOldConfigKeepsServing) {
  ProxyProcess proxy(base_config());
  auto config = proxy.config();
  config["routes"][0]["new"] = "orders-v3";
  proxy.write_config(config);
  proxy.signal(SIGHUP);
  ASSERT_TRUE(proxy.wait_for_log("rejected"));
  EXPECT_NE(proxy.log().find("routes[0].new: unknown upstream \"orders-v3\""), std::string::npos)
      << proxy.log();
  auto reply = http_get(proxy.port(), "/orders");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("x-upstream-name"), "old");
}

TEST_F(ProxyTest, EditingTheConfigFileReloadsItWithoutASignal) {
  ProxyProcess proxy(base_config());
  auto config = proxy.config();
  config["routes"][1]["old"] = "modern";
  proxy.write_config(config);
  ASSERT_TRUE(proxy.wait_for_log("config reloaded (file changed)", std::chrono::seconds(10)));
  EXPECT_EQ(http_get(proxy.port(), "/anything").header("x-upstream-name"), "new");
}

TEST_F(ProxyTest, CheckCommandListsEveryErrorAndExitsOne) {
  auto dir = make_temp_dir();
  auto config = base_config();
  config["listen"] = "127.0.0.1:8080";
  std::ofstream(dir / "good.json") << config.dump();
  config["routes"][0]["new"] = "orders-v3";
  config["threads"] = 0;
  std::ofstream(dir / "bad.json") << config.dump();
  std::string ficus = FICUS_BINARY;
  auto out = (dir / "out.txt").string();
  EXPECT_EQ(std::system(
                (ficus + " check --config " + (dir / "good.json").string() + " > " + out + " 2>&1")
                    .c_str()),
            0);
  int status = std::system(
      (ficus + " check --config " + (dir / "bad.json").string() + " > " + out + " 2>&1").c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("routes[0].new: unknown upstream \"orders-v3\" (known: legacy, modern)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("threads"), std::string::npos) << text;
  std::filesystem::remove_all(dir);
}

TEST_F(ProxyTest, InvalidConfigAtStartupExitsOneWithEveryError) {
  auto config = base_config();
  config["routes"][0]["new"] = "orders-v3";
  config["threads"] = 0;
  ProxyProcess proxy(config, false);
  EXPECT_EQ(proxy.wait_exit(), 1);
  EXPECT_NE(proxy.log().find("orders-v3"), std::string::npos) << proxy.log();
  EXPECT_NE(proxy.log().find("threads"), std::string::npos) << proxy.log();
}

}  // namespace
}  // namespace ficus::testing
