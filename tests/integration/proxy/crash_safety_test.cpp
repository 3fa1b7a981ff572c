// Nothing acknowledged is lost, and nothing is ever left half-written:
//  - a flag-file writer SIGKILLed at random moments over 1,000 writes always leaves a complete,
//    valid flag file holding the last acknowledged write or the one in flight;
//  - `ficus serve` SIGKILLed right after a 200 for a change comes back with that change in effect
//    and in the audit log (kAcknowledgedChanges below: add a step to cover a new kind of change);
//  - a change whose audit entry cannot be made durable is not acknowledged with 200.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <random>
#include <thread>

#include "flags/flag_file_editor.h"
#include "flags/flag_set.h"
#include "tests/integration/proxy/crash_safety_weights.h"
#include "tests/integration/proxy/proxy_fixture.h"

#ifndef FLAG_FILE_WRITER
#error "FLAG_FILE_WRITER must name the flag_file_writer executable"
#endif

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kFlagKey = "orders-cutover";
constexpr const char* kFlagFile = R"({"flags": {"orders-cutover": {
    "state": "ENABLED", "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
    "targeting": {"fractional": [["old", 1000000], ["new", 0]]}}}})";

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool has_temp_files(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().find(".ficus-tmp-") != std::string::npos) return true;
  }
  return false;
}

// The "new" weight of the flag in a flag file's text; fails the test if the file is not a valid
// flag source.
std::optional<std::uint32_t> new_weight_in(const std::string& text, const std::string& file) {
  const auto parsed = flags::parse_flag_source(text, file);
  if (!parsed.ok()) {
    ADD_FAILURE() << "invalid flag file after a kill:\n" << text;
    return std::nullopt;
  }
  const auto document = json::parse(text);
  for (const auto& pair : document["flags"][kFlagKey]["targeting"]["fractional"]) {
    if (pair[0] == "new") return pair[1].get<std::uint32_t>();
  }
  ADD_FAILURE() << "no \"new\" weight in:\n" << text;
  return std::nullopt;
}

// Starts the writer at write `first`; returns its pid and the read end of its stdout.
std::pair<pid_t, int> spawn_writer(const std::filesystem::path& file, unsigned long first) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  const std::string path = file.string();
  const std::string first_text = std::to_string(first);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    ::execl(FLAG_FILE_WRITER, FLAG_FILE_WRITER, path.c_str(), kFlagKey, first_text.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  return {pid, out[0]};
}

// Blocks until the writer has acknowledged `count` writes (or 10 s pass), so every run makes
// progress however slowly the writer starts (sanitizer builds take milliseconds to start); returns
// what was read. The kill then lands at a random moment in the writes that follow.
std::string wait_for_writes(int fd, long count) {
  std::string text;
  char buffer[256];
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::count(text.begin(), text.end(), '\n') < count &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) continue;
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

std::vector<unsigned long> acknowledged_writes(int fd, std::string text) {
  char buffer[4096];
  for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) text.append(buffer, n);
  ::close(fd);
  std::vector<unsigned long> numbers;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    numbers.push_back(std::stoul(text.substr(start, end - start)));
  }
  return numbers;
}

struct KillLoopFigures {
  unsigned long acknowledged = 0;           // writes the writer reported done
  unsigned long kills = 0;                  // SIGKILLs sent
  unsigned long kills_mid_write = 0;        // kills that left a temp file: a write was half-done
  unsigned long landed_unacknowledged = 0;  // the write in flight was in place, just not reported
  std::chrono::milliseconds took{0};
};

// Starts the writer, kills it after 1 to 6 acknowledged writes plus a random delay up to
// `max_kill_delay`, checks the file, and again, until `writes` writes were acknowledged and
// `min_kills` kills sent. Fails the test on a torn, invalid or stale file.
KillLoopFigures kill_writers_until(const std::filesystem::path& dir, unsigned long writes,
                                   unsigned long min_kills,
                                   std::chrono::microseconds max_kill_delay, std::mt19937& rng) {
  const auto file = dir / "flags.json";
  std::ofstream(file) << kFlagFile;
  std::uniform_int_distribution<long> writes_before_kill(1, 6);
  KillLoopFigures figures;
  unsigned long last_acknowledged = 0;  // write 0 is the initial file (weight 0)
  const auto started = std::chrono::steady_clock::now();
  while (figures.acknowledged < writes || figures.kills < min_kills) {
    auto [pid, out] = spawn_writer(file, last_acknowledged + 1);
    const auto spawned = std::chrono::steady_clock::now();
    const long before_kill = writes_before_kill(rng);
    std::string first = wait_for_writes(out, before_kill);
    // The kill lands up to one write's time later, as this build runs a write: under ASan a write
    // spends milliseconds parsing and checking the file before it creates the temp file, and
    // kills within a fixed few hundred microseconds then never land inside the file write itself.
    const auto per_write = std::chrono::duration_cast<std::chrono::microseconds>(
        (std::chrono::steady_clock::now() - spawned) / before_kill);
    std::uniform_int_distribution<long> kill_after_us(0,
                                                      std::max(max_kill_delay, per_write).count());
    std::this_thread::sleep_for(std::chrono::microseconds(kill_after_us(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status)) << "the writer exited by itself, status " << status;
    if (!WIFSIGNALED(status)) return figures;
    ++figures.kills;
    const auto written = acknowledged_writes(out, std::move(first));
    for (std::size_t i = 0; i < written.size(); ++i) {
      EXPECT_EQ(written[i], last_acknowledged + 1 + i) << "writes are acknowledged in order";
    }
    figures.acknowledged += written.size();
    if (!written.empty()) last_acknowledged = written.back();
    if (has_temp_files(dir)) ++figures.kills_mid_write;

    // The file is whole and valid, and holds the last acknowledged write or the one in flight.
    const auto weight = new_weight_in(read_file(file), file.string());
    if (!weight) return figures;
    if (*weight == weight_of_write(last_acknowledged + 1)) {
      ++figures.landed_unacknowledged;  // renamed into place just before the kill: not torn
      ++last_acknowledged;
    } else if (*weight != weight_of_write(last_acknowledged)) {
      ADD_FAILURE() << "after write " << last_acknowledged << " was acknowledged the file holds "
                    << *weight;
      return figures;
    }
  }
  figures.took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  // Temp files of killed writers are cleared by the next write, under the writers' lock.
  EXPECT_TRUE(flags::edit_flag_file(file, kFlagKey, flags::FlagEdit::split(123)).ok());
  EXPECT_FALSE(has_temp_files(dir));
  if (min_kills > 0) {
    EXPECT_GT(figures.kills_mid_write, 0u) << "no kill landed inside a write: nothing was proved";
  }
  std::printf(
      "[ figures  ] %s: %lu acknowledged writes, %lu SIGKILLs (%lu with a write "
      "half-done, %lu just after a rename), 0 torn or invalid files, %lld ms\n",
      dir.c_str(), figures.acknowledged, figures.kills, figures.kills_mid_write,
      figures.landed_unacknowledged, static_cast<long long>(figures.took.count()));
  return figures;
}

// A process kill cannot drop the page cache, so what it tests is the write protocol (temp file,
// rename), which behaves the same on tmpfs; there a write takes ~0.2 ms instead of two ~10 ms
// disk fsyncs, so 1,000 writes fit in a second or two. (What fsync adds, surviving power loss,
// no process kill can test.) The disk test below runs the same loop, shorter, on a real disk.
TEST(CrashSafety, FlagFileWriterKilledAtRandomMomentsNeverLeavesATornOrInvalidFile) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::filesystem::path base = "/dev/shm";
  if (::access(base.c_str(), W_OK) != 0) base = std::filesystem::temp_directory_path();
  std::string pattern = (base / "ficus-crash-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const std::filesystem::path dir = pattern;
  kill_writers_until(dir, 1000, 200, std::chrono::microseconds(300), rng);
  std::filesystem::remove_all(dir);
}

TEST(CrashSafety, FlagFileWriterKilledOnARealDiskLeavesAValidFile) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const auto dir = make_temp_dir();
  kill_writers_until(dir, 60, 0, std::chrono::microseconds(30'000), rng);
  std::filesystem::remove_all(dir);
}

// One acknowledged change and what must hold after a crash and restart.
struct AcknowledgedChange {
  std::string name;
  std::string method;
  std::string path;
  std::string body;
  std::string audit_action;
  // Checks GET /admin/routes/orders after the restart.
  std::function<void(const json& status)> expect_status;
  // The target every request to /orders must go to after the restart ("" skips the check).
  std::string every_request_goes_to;
};

// In order: each step starts from the state the previous one left.
const std::vector<AcknowledgedChange>& acknowledged_changes() {
  static const std::vector<AcknowledgedChange> steps = {
      {"split to 100%", "PUT", "/admin/routes/orders/split",
       R"({"percent": 100, "reason": "crash-step-split-100"})", "split",
       [](const json& s) {
         EXPECT_EQ(s["new_percent"], 100);
         EXPECT_EQ(s["state"], "active");
       },
       "new"},
      {"kill", "POST", "/admin/routes/orders/kill", R"({"reason": "crash-step-kill"})", "kill",
       [](const json& s) { EXPECT_EQ(s["state"], "killed"); }, "old"},
      {"restore", "POST", "/admin/routes/orders/restore", R"({"reason": "crash-step-restore"})",
       "restore",
       [](const json& s) {
         EXPECT_EQ(s["state"], "active");
         EXPECT_EQ(s["new_percent"], 100);
       },
       "new"},
      {"split to 37.5%", "PUT", "/admin/routes/orders/split",
       R"({"percent": 37.5, "reason": "crash-step-split-37.5"})", "split",
       [](const json& s) { EXPECT_EQ(s["new_percent"], 37.5); }, ""},
  };
  return steps;
}

class CrashRestartTest : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    dir_ = make_temp_dir();
    std::ofstream(dir_ / "flags.json") << kFlagFile;
  }
  void TearDown() override {
    proxy_.reset();
    std::filesystem::remove_all(dir_);
  }
  json config() const {
    auto config = base_config();
    config["flags"] = {{"sources", {"file:" + (dir_ / "flags.json").string()}}};
    config["audit_log"] = {{"path", audit_path().string()}};
    config["routes"][0]["flag"] = kFlagKey;
    config["routes"][0]["bucket_by"] = {{"header", "x-user-id"}};
    return config;
  }
  std::filesystem::path audit_path() const { return dir_ / "audit.jsonl"; }
  HttpReply admin(const std::string& method, const std::string& path,
                  const std::string& body = "") {
    return http_request(proxy_->admin_port(), method, path,
                        {{"Content-Type", "application/json"}, {"X-Ficus-Actor", "crash-test"}},
                        body);
  }

  std::filesystem::path dir_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(CrashRestartTest, SigkillRightAfterA200LosesNoAcknowledgedChange) {
  proxy_ = std::make_unique<ProxyProcess>(config());
  for (const auto& step : acknowledged_changes()) {
    SCOPED_TRACE(step.name);
    auto reply = admin(step.method, step.path, step.body);
    ASSERT_EQ(reply.status, 200) << reply.body;
    // No grace at all: the process dies the moment the reply is in.
    proxy_->signal(SIGKILL);
    ASSERT_EQ(proxy_->wait_exit(), -SIGKILL);

    proxy_ = std::make_unique<ProxyProcess>(config());
    auto status = admin("GET", "/admin/routes/orders");
    ASSERT_EQ(status.status, 200);
    step.expect_status(json::parse(status.body));

    const auto reason = json::parse(step.body)["reason"].get<std::string>();
    auto audit = json::parse(admin("GET", "/admin/audit?route=orders").body)["entries"];
    std::size_t found = 0;
    for (const auto& entry : audit) {
      if (entry["reason"] == reason) {
        ++found;
        EXPECT_EQ(entry["action"], step.audit_action);
        EXPECT_EQ(entry["actor"], "crash-test");
      }
    }
    EXPECT_EQ(found, 1u) << "the audit entry of the acknowledged change: " << audit.dump();

    if (!step.every_request_goes_to.empty()) {
      for (int user = 0; user < 20; ++user) {
        auto routed = http_get(proxy_->port(), "/orders", {{"x-user-id", std::to_string(user)}});
        EXPECT_EQ(routed.header("x-ficus-target"), step.every_request_goes_to) << "user " << user;
      }
    }
  }
}

TEST_F(CrashRestartTest, AChangeThatCannotBeAuditedIsNotAcknowledged) {
  proxy_ = std::make_unique<ProxyProcess>(config());
  // A folder where the audit file should be: every append fails (even as root, unlike chmod).
  std::filesystem::create_directories(audit_path());
  auto reply = admin("PUT", "/admin/routes/orders/split", R"({"percent": 20})");
  EXPECT_EQ(reply.status, 500) << "the reply waited for the audit append and reports its failure";
  EXPECT_NE(reply.body.find("could not be audited"), std::string::npos) << reply.body;
}

}  // namespace
}  // namespace ficus::testing
