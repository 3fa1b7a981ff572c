// Under load, 200 flag-file rewrites and 50 config reloads: no request fails, and every response
// comes from the target that a flag version live during that request named.
//
// How "live during the request" is established, without trusting the proxy's word for it:
// - the writer writes flag version v (atomically, as editors and the admin API do) at t_write(v),
//   then polls ficus_flags_generation until it shows v, at t_seen(v), before writing v+1. The gauge
//   is set after the new set is swapped in, so version v cannot serve before t_write(v) and has
//   stopped serving new requests by t_seen(v+1);
// - a request sent at `sent` and answered at `received` may therefore have been decided by any
//   version v with t_write(v) < received and t_seen(v+1) > sent, and by no other;
// - consecutive versions name opposite targets, so a wrong (stale or early) decision is caught
//   unless it falls inside that window. The figures report how many requests had only one
//   admissible target, i.e. how many the check pinned down exactly.
// Propagation (t_seen - t_write) is bounded separately: 1 s, the watcher's stat() poll period;
// inotify normally brings it to the 50 ms settle time.
#include <algorithm>
#include <fstream>
#include <random>
#include <thread>

#include "tests/integration/proxy/proxy_fixture.h"
#include "tests/reliability/reliability_support.h"

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;

// How fast a flag-file write is in effect: typically inotify + the watcher's settle time (tens of
// ms); the median must stay within the watcher's 1 s fallback poll. The worst case is bounded
// looser: one CI run (2 cores, saturated by this test's own load) saw a single 3.9 s outlier
// among 200 writes, while serving no wrong target; see docs/reliability.md.
constexpr double kPropagationMedianBoundMs = 1000;
constexpr double kPropagationMaxBoundMs = 5000;

// Version v of the flag file: odd versions send everything to new, even ones to old, in one of two
// spellings (default variant or a 100/0 fractional) so both evaluation paths are reloaded.
std::string target_of(int version) {
  return version % 2 == 1 ? "new" : "old";
}

nlohmann::json flag_file(int version) {
  nlohmann::json flag = {{"state", "ENABLED"},
                         {"variants", {{"old", "old"}, {"new", "new"}}},
                         {"defaultVariant", target_of(version)}};
  if (version % 4 >= 2) {
    bool to_new = target_of(version) == "new";
    flag["defaultVariant"] = "old";
    using nlohmann::json;
    flag["targeting"] = {{"fractional", json::array({json::array({"old", to_new ? 0 : 100}),
                                                     json::array({"new", to_new ? 100 : 0})})}};
  }
  return {{"flags", {{"orders-cutover", flag}}}};
}

void write_atomically(const std::filesystem::path& path, const std::string& text) {
  auto temp = path;
  temp += ".tmp";
  {
    std::ofstream out(temp);
    out << text;
  }
  std::filesystem::rename(temp, path);
}

// Polls until `read()` returns at least `wanted`; returns the value seen and when.
template <typename Read>
std::pair<double, LoadClock::time_point> poll_until(Read read, double wanted,
                                                    std::chrono::milliseconds timeout) {
  auto deadline = LoadClock::now() + timeout;
  double value = -1;
  for (;;) {
    value = read();
    auto now = LoadClock::now();
    if (value >= wanted || now > deadline) return {value, now};
    std::this_thread::sleep_for(2ms);
  }
}

class ReloadUnderLoadTest : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    old_upstream_->set_recording(false);
    new_upstream_->set_recording(false);
    dir_ = make_temp_dir();
    flags_path_ = dir_ / "flags.json";
    write_atomically(flags_path_, flag_file(0).dump(2));
    config_ = base_config();
    config_["flags"] = {{"sources", {"file:" + flags_path_.string()}}};
    config_["routes"][0]["flag"] = "orders-cutover";
    proxy_ = std::make_unique<ProxyProcess>(config_);
  }
  void TearDown() override {
    proxy_.reset();
    std::filesystem::remove_all(dir_);
  }
  double flags_generation() const {
    return metric_value(scrape_metrics(*proxy_), "ficus_flags_generation");
  }
  double config_generation() const {
    auto reply = http_get(proxy_->admin_port(), "/readyz");
    auto body = nlohmann::json::parse(reply.body, nullptr, false);
    if (body.is_discarded() || !body.contains("config_generation")) return -1;
    return body["config_generation"].get<double>();
  }

  std::filesystem::path dir_, flags_path_;
  nlohmann::json config_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(ReloadUnderLoadTest, FlagRewritesAndConfigReloadsFailNothingAndRouteByTheLiveFlag) {
  const int rewrites = scaled(200, 40);
  const int reloads = scaled(50, 10);
  const double base_generation = flags_generation();
  const double base_config_generation = config_generation();
  ASSERT_GE(base_generation, 1);
  ASSERT_GE(base_config_generation, 1);

  LoadGenerator load(
      {.port = proxy_->port(), .connections = 8, .target = [](unsigned c, std::uint64_t n) {
         return "/orders/" + std::to_string(c) + "/" + std::to_string(n);
       }});
  const auto origin = LoadClock::now();
  load.start();

  // Config reloads run beside the flag rewrites: each adds a route, waits until it serves, and
  // leaves the flagged route alone (its decisions must not depend on the config generation).
  std::atomic<int> reloads_done{0};
  std::string reload_failure;
  std::thread reloader([&] {
    std::mt19937 rng(7);
    auto config = config_;
    for (int r = 1; r <= reloads; ++r) {
      config["routes"].push_back({{"name", "extra-" + std::to_string(r)},
                                  {"match", {{"path_prefix", "/extra-" + std::to_string(r)}}},
                                  {"old", "legacy"}});
      proxy_->write_config(config);
      auto [seen, at] =
          poll_until([&] { return config_generation(); }, base_config_generation + r, 5s);
      if (seen != base_config_generation + r) {
        reload_failure =
            "config reload " + std::to_string(r) + " showed generation " + std::to_string(seen);
        return;
      }
      reloads_done = r;
      std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 200));
    }
  });

  std::vector<LoadClock::time_point> written(rewrites + 1), seen(rewrites + 1);
  written[0] = LoadClock::time_point::min();
  seen[0] = origin;
  std::mt19937 rng(11);
  double max_propagation_ms = 0;
  std::vector<double> propagation_ms;
  for (int v = 1; v <= rewrites; ++v) {
    written[v] = LoadClock::now();
    write_atomically(flags_path_, flag_file(v).dump(2));
    auto [generation, at] = poll_until([&] { return flags_generation(); }, base_generation + v, 5s);
    seen[v] = at;
    ASSERT_EQ(generation, base_generation + v)
        << "flag version " << v << " was not applied as exactly one new generation";
    propagation_ms.push_back(ms_between(written[v], seen[v]));
    max_propagation_ms = std::max(max_propagation_ms, propagation_ms.back());
    // Hold each version a while: requests answered inside [t_write, t_seen] of a change are
    // admissible either way, the ones in between pin the check to one target.
    std::this_thread::sleep_for(std::chrono::milliseconds(60 + rng() % 100));
  }
  reloader.join();
  std::this_thread::sleep_for(100ms);
  auto samples = load.stop();
  auto summary = summarize(samples, load.elapsed());
  ASSERT_TRUE(reload_failure.empty()) << reload_failure;
  ASSERT_EQ(reloads_done.load(), reloads);

  // Every response checked against the versions live while it was in flight.
  std::uint64_t failed = 0, wrong_target = 0, pinned = 0;
  std::string first_problems;
  auto note = [&](const LoadSample& sample, const std::string& why) {
    if (first_problems.size() < 2000)
      first_problems += why + ": " + describe(sample, origin) + "\n";
  };
  for (const auto& sample : samples) {
    if (sample.status != 200 || sample.upstream_name.empty()) {
      ++failed;
      note(sample, "failed");
      continue;
    }
    if (sample.ficus_target != sample.upstream_name) {
      ++wrong_target;
      note(sample, "X-Ficus-Target differs from the upstream that answered");
      continue;
    }
    bool admissible = false, saw_old = false, saw_new = false;
    for (int v = 0; v <= rewrites; ++v) {
      bool started_before_answer = v == 0 || written[v] < sample.received;
      bool ended_after_send = v == rewrites || seen[v + 1] > sample.sent;
      if (!started_before_answer || !ended_after_send) continue;
      (target_of(v) == "new" ? saw_new : saw_old) = true;
      admissible = admissible || target_of(v) == sample.upstream_name;
    }
    if (saw_old != saw_new) ++pinned;
    if (!admissible) {
      ++wrong_target;
      note(sample, "no flag version live during the request names this target");
    }
  }
  std::sort(propagation_ms.begin(), propagation_ms.end());
  auto scrape = scrape_metrics(*proxy_);
  Figures("flag_rewrites_and_config_reloads")
      .add_summary(summary)
      .add("flag_rewrites", rewrites)
      .add("config_reloads", reloads)
      .add("wrong_target", wrong_target)
      .add("pinned_to_one_target", pinned)
      .add("propagation_p50_ms", propagation_ms[propagation_ms.size() / 2])
      .add("propagation_max_ms", max_propagation_ms)
      .print();

  EXPECT_EQ(failed, 0u) << first_problems;
  EXPECT_EQ(wrong_target, 0u) << first_problems;
  EXPECT_GT(summary.requests, static_cast<std::uint64_t>(rewrites) * 10) << "load too thin";
  EXPECT_GT(pinned, summary.requests / 2) << "the check pinned down too few requests to mean much";
  auto sorted = propagation_ms;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_LE(sorted[sorted.size() / 2], kPropagationMedianBoundMs);
  EXPECT_LE(max_propagation_ms, kPropagationMaxBoundMs);
  EXPECT_EQ(metric_value(scrape, "ficus_flags_reload_errors_total"), 0);
  EXPECT_EQ(metric_value(scrape, "ficus_config_reloads_total", {R"(result="failure")"}), 0);
}

}  // namespace
}  // namespace ficus::testing
