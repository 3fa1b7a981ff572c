// ControlPlane through a real AdminServer on loopback, with AdminClient as the client: listing,
// split/kill/restore applied at once and audited, bad input refused with nothing changed, hand
// edits audited as "file", parallel clients, and the CLI verbs.
#include "proxy/control/control_plane.h"

#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <CLI/CLI.hpp>

#include "config/route_table.h"
#include "proxy/admin_server.h"
#include "proxy/control/admin_client.h"
#include "proxy/control/cli.h"
#include "proxy/proxy_state.h"
#include "tests/unit/flags/temp_dir.h"

namespace ficus::proxy::control {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kFlags = R"({
  "flags": {
    "orders-cutover": {
      "state": "ENABLED",
      "variants": {"old": "old", "new": "new"},
      "defaultVariant": "old",
      "targeting": {"fractional": [["old", 90], ["new", 10]]}
    }
  }
})";

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::shared_ptr<const config::RouteTable> example_routes() {
  auto config = std::make_shared<config::ProxyConfig>();
  config::RouteConfig orders;
  orders.name = "orders";
  orders.match.path_prefix = "/orders";
  orders.old_upstream = "legacy";
  orders.new_upstream = "orders-v2";
  orders.flag = "orders-cutover";
  config::RouteConfig fallback;
  fallback.name = "default";
  fallback.old_upstream = "legacy";
  config->routes = {orders, fallback};
  return config::RouteTable::build(config);
}

class ControlPlaneTest : public ::testing::Test {
 protected:
  explicit ControlPlaneTest(bool watch = false)
      : flags_path_(dir_.write("flags.json", kFlags)),
        store_({"file:" + flags_path_}, store_options(watch)) {}

  static flags::FlagStore::Options store_options(bool watch) {
    flags::FlagStore::Options options;
    options.watch = watch;
    options.watcher.settle = 10ms;
    options.watcher.poll_interval = 50ms;
    return options;
  }

  void SetUp() override {
    ASSERT_TRUE(store_.start().empty());
    state_.routes.store(example_routes());
    control_ = std::make_unique<ControlPlane>(state_.routes, store_, audit_path());
    admin_ = std::make_unique<AdminServer>(io_, state_);
    control_->register_endpoints(*admin_);
    ASSERT_EQ(admin_->open({"127.0.0.1", 0}), "");
    admin_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    admin_->stop();
    io_.stop();
    if (thread_.joinable()) thread_.join();
    store_.stop();
  }

  std::filesystem::path audit_path() const { return dir_.path() / "audit.jsonl"; }
  std::string address() const { return "127.0.0.1:" + std::to_string(admin_->port()); }

  AdminResponse call(boost::beast::http::verb method, const std::string& target,
                     const std::string& body = {}, const std::string& actor = "alice") {
    return AdminClient({.address = address(), .token = {}, .actor = actor})
        .request(method, target, body);
  }

  json audit_entries() {
    return json::parse(call(http::verb::get, "/admin/audit").body)["entries"];
  }

  const flags::Flag& flag_now() { return *store_.current()->find("orders-cutover"); }

  // Expects a 4xx whose error mentions `needle`, and the flag file and audit log untouched.
  void expect_refused(AdminResponse response, unsigned status, const std::string& needle) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_NE(response.error_message().find(needle), std::string::npos) << response.body;
    EXPECT_EQ(read(flags_path_), kFlags);
    EXPECT_FALSE(std::filesystem::exists(audit_path()));
    EXPECT_EQ(store_.generation(), 1u);
  }

  ficus::testing::TempDir dir_;
  std::string flags_path_;
  flags::FlagStore store_;
  ProxyState state_;
  net::io_context io_;
  std::unique_ptr<ControlPlane> control_;
  std::unique_ptr<AdminServer> admin_;
  std::thread thread_;
};

TEST_F(ControlPlaneTest, ListsEveryRouteWithFlagShareStateAndTargets) {
  const auto response = call(http::verb::get, "/admin/routes");
  ASSERT_EQ(response.status, 200u) << response.body;
  const auto routes = json::parse(response.body)["routes"];
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0]["name"], "orders");
  EXPECT_EQ(routes[0]["flag"], "orders-cutover");
  EXPECT_EQ(routes[0]["new_percent"], 10.0);
  EXPECT_EQ(routes[0]["state"], "active");
  EXPECT_EQ(routes[0]["targets"], json::parse(R"({"old": "legacy", "new": "orders-v2"})"));
  EXPECT_EQ(routes[0]["flag_source"], flags_path_);
  EXPECT_EQ(routes[1]["name"], "default");
  EXPECT_TRUE(routes[1]["flag"].is_null());
  EXPECT_EQ(routes[1]["new_percent"], 0.0);
}

TEST_F(ControlPlaneTest, SplitRewritesTheFileAppliesItAtOnceAndAuditsIt) {
  const auto response = call(http::verb::put, "/admin/routes/orders/split",
                             R"({"percent": 12.5, "reason": "ramp up"})");
  ASSERT_EQ(response.status, 200u) << response.body;
  // Applied before the answer: the store already serves the new weights.
  EXPECT_EQ(rollout_of(flag_now()).weights, json::parse(R"({"old": 875000, "new": 125000})"));
  EXPECT_EQ(json::parse(read(flags_path_))["flags"]["orders-cutover"]["targeting"],
            json::parse(R"({"fractional": [["old", 875000], ["new", 125000]]})"));
  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["actor"], "alice");
  EXPECT_EQ(entries[0]["action"], "split");
  EXPECT_EQ(entries[0]["route"], "orders");
  EXPECT_EQ(entries[0]["flag"], "orders-cutover");
  EXPECT_EQ(entries[0]["before"]["new_percent"], 10.0);
  EXPECT_EQ(entries[0]["after"]["new_percent"], 12.5);
  EXPECT_EQ(entries[0]["reason"], "ramp up");
}

TEST_F(ControlPlaneTest, KillDisablesAtOnceAndRestoreReturnsToTheShareBeforeIt) {
  ASSERT_EQ(call(http::verb::put, "/admin/routes/orders/split", R"({"percent": 30})").status, 200u);
  const auto killed = call(http::verb::post, "/admin/routes/orders/kill", "", "");
  ASSERT_EQ(killed.status, 200u) << killed.body;
  EXPECT_FALSE(flag_now().enabled) << "in effect before the API answered";
  EXPECT_EQ(json::parse(killed.body)["status"]["state"], "killed");
  EXPECT_EQ(control_->route_statuses()[0].killed, true);

  const auto restored =
      call(http::verb::post, "/admin/routes/orders/restore", R"({"reason": "fixed"})");
  ASSERT_EQ(restored.status, 200u) << restored.body;
  EXPECT_TRUE(flag_now().enabled);
  EXPECT_EQ(json::parse(restored.body)["after"]["new_percent"], 30.0);

  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[1]["action"], "kill");
  EXPECT_EQ(entries[1]["actor"], "admin") << "no X-Ficus-Actor";
  EXPECT_EQ(entries[1]["after"]["state"], "DISABLED");
  EXPECT_EQ(entries[2]["action"], "restore");
  EXPECT_EQ(entries[2]["reason"], "fixed");
}

TEST_F(ControlPlaneTest, KillingTwiceAnswersUnchangedAndAuditsOnce) {
  ASSERT_EQ(call(http::verb::post, "/admin/routes/orders/kill").status, 200u);
  const auto again = call(http::verb::post, "/admin/routes/orders/kill");
  ASSERT_EQ(again.status, 200u);
  EXPECT_EQ(json::parse(again.body)["changed"], false);
  EXPECT_EQ(audit_entries().size(), 1u);
}

TEST_F(ControlPlaneTest, UnknownRouteIs404NamingTheKnownRoutesAndChangesNothing) {
  expect_refused(call(http::verb::put, "/admin/routes/ordres/split", R"({"percent": 5})"), 404,
                 "unknown route \"ordres\"; the routes are: orders, default");
  expect_refused(call(http::verb::post, "/admin/routes/nope/kill"), 404, "unknown route");
}

TEST_F(ControlPlaneTest, PercentOutsideZeroToHundredIs400NamingPercent) {
  for (const char* body : {R"({"percent": 100.5})", R"({"percent": -1})", R"({"percent": "12"})",
                           R"({"percent": null})", R"({"reason": "x"})"}) {
    SCOPED_TRACE(body);
    expect_refused(call(http::verb::put, "/admin/routes/orders/split", body), 400, "percent: ");
  }
}

TEST_F(ControlPlaneTest, MalformedOrUnexpectedBodiesAre400AndChangeNothing) {
  expect_refused(call(http::verb::put, "/admin/routes/orders/split", R"({"percent": 5,)"), 400,
                 "not valid JSON; send {\"percent\": 12.5");
  expect_refused(call(http::verb::put, "/admin/routes/orders/split", "[5]"), 400,
                 "must be a JSON object");
  expect_refused(call(http::verb::put, "/admin/routes/orders/split", R"({"percnt": 5})"), 400,
                 "percnt: unknown field");
  expect_refused(call(http::verb::post, "/admin/routes/orders/kill", R"({"reason": 7})"), 400,
                 "reason: must be a string");
  expect_refused(call(http::verb::put, "/admin/routes/orders/split", ""), 400, "percent: missing");
}

TEST_F(ControlPlaneTest, WrongMethodUnknownActionAndFlaglessRouteAreRefused) {
  expect_refused(call(http::verb::post, "/admin/routes/orders/split", R"({"percent": 5})"), 405,
                 "accepts only PUT");
  expect_refused(call(http::verb::post, "/admin/routes/orders/pause"), 404,
                 "unknown action \"pause\"");
  expect_refused(call(http::verb::post, "/admin/routes/default/kill"), 409, "has no flag");
  expect_refused(call(http::verb::delete_, "/admin/routes"), 405, "accepts only GET");
}

TEST_F(ControlPlaneTest, AHandEditIsAuditedWithActorFileAndTheWeightsBeforeAndAfter) {
  std::string edited = kFlags;
  edited.replace(edited.find(R"(["old", 90], ["new", 10])"), 24, R"(["old", 50], ["new", 50])");
  dir_.replace("flags.json", edited);
  ASSERT_TRUE(store_.reload_now().empty());
  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["actor"], "file");
  EXPECT_EQ(entries[0]["action"], "file-edit");
  EXPECT_EQ(entries[0]["route"], "orders");
  EXPECT_EQ(entries[0]["before"]["weights"], json::parse(R"({"old": 90, "new": 10})"));
  EXPECT_EQ(entries[0]["after"]["weights"], json::parse(R"({"old": 50, "new": 50})"));
  EXPECT_EQ(entries[0]["after"]["new_percent"], 50.0);
}

TEST_F(ControlPlaneTest, AuditEndpointFiltersByRouteAndSinceAndRejectsBadSince) {
  ASSERT_EQ(call(http::verb::post, "/admin/routes/orders/kill").status, 200u);
  EXPECT_EQ(json::parse(call(http::verb::get, "/admin/audit?route=orders&since=1h").body)["entries"]
                .size(),
            1u);
  EXPECT_EQ(json::parse(call(http::verb::get, "/admin/audit?route=default").body)["entries"].size(),
            0u);
  EXPECT_EQ(
      json::parse(call(http::verb::get, "/admin/audit?since=2999-01-01T00:00:00Z").body)["entries"]
          .size(),
      0u);
  const auto bad = call(http::verb::get, "/admin/audit?since=yesterday");
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.error_message().find("since: \"yesterday\""), std::string::npos) << bad.body;
}

TEST_F(ControlPlaneTest, ParallelClientsNeverCorruptTheFlagFileOrTheLog) {
  constexpr int kClients = 5;
  constexpr int kEach = 8;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kEach; ++i) {
        // Every percent differs from every other, so every call is a change.
        const json body = {{"percent", c * 10 + i + 0.5},
                           {"reason", "client " + std::to_string(c)}};
        const auto r = call(http::verb::put, "/admin/routes/orders/split", body.dump());
        EXPECT_EQ(r.status, 200u) << r.body;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_TRUE(flags::parse_flag_source(read(flags_path_), flags_path_).ok());
  std::ifstream log(audit_path());
  int lines = 0;
  for (std::string line; std::getline(log, line); ++lines) {
    EXPECT_TRUE(json::parse(line, nullptr, false).is_object()) << line;
  }
  EXPECT_EQ(lines, kClients * kEach) << "one entry per change, none recorded as a hand edit";
}

class WatchingControlPlaneTest : public ControlPlaneTest {
 protected:
  WatchingControlPlaneTest() : ControlPlaneTest(/*watch=*/true) {}
};

TEST_F(WatchingControlPlaneTest, AnApiChangeSeenByTheWatcherIsNotAlsoRecordedAsAHandEdit) {
  for (int i = 1; i <= 5; ++i) {
    const json body = {{"percent", i}};
    ASSERT_EQ(call(http::verb::put, "/admin/routes/orders/split", body.dump()).status, 200u);
  }
  std::this_thread::sleep_for(300ms);  // several watcher polls
  const auto entries = audit_entries();
  ASSERT_EQ(entries.size(), 5u) << entries.dump(2);
  for (const auto& entry : entries) EXPECT_EQ(entry["actor"], "alice");
}

TEST_F(ControlPlaneTest, CliSplitKillHistoryAndStatusTalkToTheApi) {
  CLI::App app{"ficus"};
  CLI::App* flags = app.add_subcommand("flags");
  add_flags_admin_commands(*flags);
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--admin", address(), "--actor", "cli-user"});
    std::reverse(args.begin(), args.end());
    app.parse(args);
  };
  ::testing::internal::CaptureStdout();
  run({"flags", "split", "orders", "12.5", "--reason", "ramp"});
  run({"flags", "kill", "orders"});
  run({"flags", "history", "--route", "orders"});
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_NE(out.find("split orders: 10.0000% new -> 12.5000% new"), std::string::npos) << out;
  EXPECT_NE(out.find("kill orders: 12.5000% new -> 12.5000% new, killed"), std::string::npos)
      << out;
  EXPECT_NE(out.find("cli-user"), std::string::npos) << out;
  EXPECT_FALSE(flag_now().enabled);

  ::testing::internal::CaptureStderr();
  EXPECT_THROW(run({"flags", "split", "nope", "5", "--reason", "x"}), CLI::RuntimeError);
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("unknown route \"nope\""),
            std::string::npos);
}

TEST(RoutesTable, ShowsOneRowPerRouteWithDashesForMissingValues) {
  const auto table = render_routes_table(json::parse(R"({"routes": [
    {"name": "orders", "flag": "orders-cutover", "flag_defined": true, "new_percent": 12.5,
     "state": "killed", "targets": {"old": "legacy", "new": "orders-v2"}, "flag_source": "/f.json"},
    {"name": "default", "flag": null, "flag_defined": false, "new_percent": 0, "state": "active",
     "targets": {"old": "legacy", "new": null}, "flag_source": null}]})"));
  EXPECT_EQ(table,
            "ROUTE    FLAG            NEW %    STATE   OLD     NEW        FLAG FILE\n"
            "orders   orders-cutover  12.5000  killed  legacy  orders-v2  /f.json\n"
            "default  -               0.0000   active  legacy  -          -\n");
}

}  // namespace
}  // namespace ficus::proxy::control
