// Under load, the kill switch thrown and restored 20 times through the admin API: no request fails,
// and the switch holds exactly. docs/traffic-split.md promises that kill and restore take effect
// before the API answers (the reload is synchronous), so a request sent after the kill was
// answered and answered before the restore was sent must come from old, and one sent after the
// restore was answered and answered before the next kill must come from new (the flag sends 100 %
// to new).
#include <fstream>
#include <random>
#include <thread>

#include "tests/integration/proxy/proxy_fixture.h"
#include "tests/reliability/reliability_support.h"

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(ProxyTest, KillAndRestoreUnderLoadFailNothingAndHoldExactly) {
  const int cycles = scaled(20, 5);
  old_upstream_->set_recording(false);
  new_upstream_->set_recording(false);
  auto dir = make_temp_dir();
  std::ofstream(dir / "flags.json") << R"({"flags": {"orders-cutover": {
      "state": "ENABLED", "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
      "targeting": {"fractional": [["old", 0], ["new", 1000000]]}}}})";
  auto config = base_config();
  config["flags"] = {{"sources", {"file:" + (dir / "flags.json").string()}}};
  config["audit_log"] = {{"path", (dir / "audit.jsonl").string()}};
  config["routes"][0]["flag"] = "orders-cutover";
  ProxyProcess proxy(config);
  auto admin = [&](const std::string& action) {
    return http_request(proxy.admin_port(), "POST", "/admin/routes/orders/" + action,
                        {{"Content-Type", "application/json"}, {"X-Ficus-Actor", "reliability"}},
                        R"({"reason": "reliability test"})");
  };

  // Mixed methods: a POST is never retried by the proxy, so a failure could not hide behind one.
  LoadGenerator load({.port = proxy.port(),
                      .connections = 8,
                      .target = [](unsigned, std::uint64_t) { return std::string("/orders"); },
                      .methods = {"GET", "POST"}});
  const auto origin = LoadClock::now();
  load.start();
  struct Switch {
    LoadClock::time_point sent, answered;
  };
  std::vector<Switch> kills, restores;
  std::mt19937 rng(5);
  std::this_thread::sleep_for(200ms);
  for (int i = 0; i < cycles; ++i) {
    Switch kill{LoadClock::now(), {}};
    auto killed = admin("kill");
    kill.answered = LoadClock::now();
    ASSERT_EQ(killed.status, 200) << killed.body;
    ASSERT_EQ(nlohmann::json::parse(killed.body, nullptr, false).value("changed", false), true)
        << killed.body;
    kills.push_back(kill);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 150));
    Switch restore{LoadClock::now(), {}};
    auto restored = admin("restore");
    restore.answered = LoadClock::now();
    ASSERT_EQ(restored.status, 200) << restored.body;
    restores.push_back(restore);
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 150));
  }
  auto samples = load.stop();
  auto summary = summarize(samples, load.elapsed());

  std::uint64_t failed = 0, wrong = 0, held_old = 0, held_new = 0;
  std::string problems;
  auto note = [&](const LoadSample& sample, const std::string& why) {
    if (problems.size() < 2000) problems += why + ": " + describe(sample, origin) + "\n";
  };
  for (const auto& sample : samples) {
    if (sample.status != 200 || sample.upstream_name != sample.ficus_target) {
      ++failed;
      note(sample, "failed");
      continue;
    }
    for (int i = 0; i < cycles; ++i) {
      if (sample.sent >= kills[i].answered && sample.received <= restores[i].sent) {
        ++held_old;
        if (sample.upstream_name != "old") {
          ++wrong;
          note(sample, "new while killed");
        }
      }
      auto next_kill = i + 1 < cycles ? kills[i + 1].sent : LoadClock::time_point::max();
      if (sample.sent >= restores[i].answered && sample.received <= next_kill) {
        ++held_new;
        if (sample.upstream_name != "new") {
          ++wrong;
          note(sample, "old after restore");
        }
      }
    }
  }
  auto audit = http_get(proxy.admin_port(), "/admin/audit?route=orders");
  auto entries = nlohmann::json::parse(audit.body)["entries"];
  Figures("kill_restore_under_load")
      .add_summary(summary)
      .add("kills", kills.size())
      .add("restores", restores.size())
      .add("checked_killed", held_old)
      .add("checked_restored", held_new)
      .add("wrong_target", wrong)
      .print();
  EXPECT_EQ(failed, 0u) << problems;
  EXPECT_EQ(wrong, 0u) << problems;
  EXPECT_GT(held_old, static_cast<std::uint64_t>(cycles) * 10);
  EXPECT_GT(held_new, static_cast<std::uint64_t>(cycles) * 10);
  EXPECT_EQ(entries.size(), static_cast<std::size_t>(2 * cycles)) << audit.body;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ficus::testing
