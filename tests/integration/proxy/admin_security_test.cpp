// The admin listener's defences against the real binary: the admin and read-only tokens, 401/403
// for the rest, refusals logged and audited under a rate limit, body limits and timeouts that a
// slow or greedy client cannot get around.
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <fstream>
#include <thread>

#include "tests/integration/proxy/proxy_fixture.h"

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kAdminToken = "adm-7c1f0b2e-token";
constexpr const char* kReadToken = "ro-93d2aa41-token";

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

std::vector<json> audit_lines(const std::filesystem::path& file) {
  std::vector<json> entries;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) entries.push_back(json::parse(line));
  return entries;
}

std::size_t count_action(const std::vector<json>& entries, const std::string& action) {
  std::size_t count = 0;
  for (const auto& entry : entries) count += entry["action"] == action ? 1 : 0;
  return count;
}

class AdminSecurityTest : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    ::setenv("FICUS_IT_ADMIN_TOKEN", kAdminToken, 1);
    ::setenv("FICUS_IT_READ_TOKEN", kReadToken, 1);
    dir_ = make_temp_dir();
    std::ofstream(dir_ / "flags.json") << R"({"flags": {"orders-cutover": {
        "state": "ENABLED", "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
        "targeting": {"fractional": [["old", 1000000], ["new", 0]]}}}})";
  }
  void TearDown() override {
    proxy_.reset();
    std::filesystem::remove_all(dir_);
  }

  json config() const {
    auto config = base_config();
    config["flags"] = {{"sources", {"file:" + (dir_ / "flags.json").string()}}};
    config["audit_log"] = {{"path", audit_path().string()}};
    config["routes"][0]["flag"] = "orders-cutover";
    config["admin"] = {{"token_env", "FICUS_IT_ADMIN_TOKEN"},
                       {"read_only_token_env", "FICUS_IT_READ_TOKEN"},
                       {"max_body_bytes", 4096},
                       {"auth_failure_log_max", 3},
                       {"auth_failure_log_interval_ms", 2000}};
    return config;
  }
  void start(const json& config) { proxy_ = std::make_unique<ProxyProcess>(config); }
  std::filesystem::path audit_path() const { return dir_ / "audit.jsonl"; }

  HttpReply admin(const std::string& method, const std::string& path, const std::string& token,
                  const std::string& body = "", Headers extra = {}) {
    Headers headers = std::move(extra);
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    return http_request(proxy_->admin_port(), method, path, headers, body);
  }
  std::string flag_file() const {
    std::ifstream in(dir_ / "flags.json");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::filesystem::path dir_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(AdminSecurityTest, ReadOnlyTokenReadsEveryReadEndpointAndIsRefusedEveryChange) {
  start(config());
  for (const char* path : {"/metrics", "/admin/routes", "/admin/routes/orders", "/admin/audit",
                           "/admin/config", "/admin/compare"}) {
    EXPECT_EQ(admin("GET", path, kReadToken).status, 200) << path;
  }
  auto ofrep = admin("POST", "/ofrep/v1/evaluate/flags/orders-cutover", kReadToken,
                     R"({"context": {"targetingKey": "u1"}})");
  EXPECT_EQ(ofrep.status, 200) << ofrep.body;
  EXPECT_EQ(admin("POST", "/ofrep/v1/evaluate/flags", kReadToken, "{}").status, 200);

  const std::string before = flag_file();
  struct Change {
    const char* method;
    const char* path;
    const char* body;
  };
  for (const Change& change : {Change{"PUT", "/admin/routes/orders/split", R"({"percent": 50})"},
                               Change{"POST", "/admin/routes/orders/kill", R"({"reason": "x"})"},
                               Change{"POST", "/admin/routes/orders/restore", ""}}) {
    auto reply = admin(change.method, change.path, kReadToken, change.body);
    EXPECT_EQ(reply.status, 403) << change.path << " " << reply.body;
    EXPECT_NE(reply.body.find("the token is read-only"), std::string::npos) << reply.body;
    EXPECT_EQ(reply.header("www-authenticate"), "") << "403, not a challenge to log in again";
  }
  EXPECT_EQ(flag_file(), before) << "a refused change writes nothing";
  auto status = json::parse(admin("GET", "/admin/routes/orders", kReadToken).body);
  EXPECT_EQ(status["new_percent"], 0);
  EXPECT_EQ(status["state"], "active");

  // The admin token still changes things, and the audit names the token it came with.
  ASSERT_EQ(admin("PUT", "/admin/routes/orders/split", kAdminToken, R"({"percent": 25})").status,
            200);
  ASSERT_EQ(admin("POST", "/admin/routes/orders/kill", kAdminToken, "", {{"X-Ficus-Actor", "ana"}})
                .status,
            200);
  const auto entries = audit_lines(audit_path());
  std::vector<json> changes;
  for (const auto& entry : entries) {
    if (entry["action"] == "split" || entry["action"] == "kill") changes.push_back(entry);
  }
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0]["actor"], "admin");
  EXPECT_EQ(changes[0]["token"], "admin");
  EXPECT_EQ(changes[1]["actor"], "ana") << "X-Ficus-Actor still names the person";
  EXPECT_EQ(changes[1]["token"], "admin");
  // The three read-only refusals were audited with the token that was refused.
  ASSERT_EQ(count_action(entries, "auth-refused"), 3u);
  for (const auto& entry : entries) {
    if (entry["action"] != "auth-refused") continue;
    EXPECT_EQ(entry["actor"], "read-only");
    EXPECT_EQ(entry["token"], "read-only");
  }
}

TEST_F(AdminSecurityTest, WithoutAValidTokenEverythingButHealthIs401) {
  start(config());
  EXPECT_EQ(admin("GET", "/healthz", "").status, 200);
  EXPECT_EQ(admin("GET", "/readyz", "").status, 200);
  for (const char* path : {"/metrics", "/admin/config", "/admin/routes", "/ofrep/v1/evaluate/flags",
                           "/admin/no-such-endpoint"}) {
    auto none = admin("GET", path, "");
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_EQ(none.header("www-authenticate"), "Bearer realm=\"ficus-admin\"");
    EXPECT_EQ(admin("GET", path, "wrong-token").status, 401) << path;
  }
  // A token that is a prefix or an extension of the real one is as wrong as any other.
  EXPECT_EQ(admin("GET", "/metrics", std::string(kAdminToken).substr(0, 10)).status, 401);
  EXPECT_EQ(admin("GET", "/metrics", std::string(kAdminToken) + "x").status, 401);
}

TEST_F(AdminSecurityTest, RefusalsAreLoggedAndAuditedAtMostNPerIntervalThenSummarised) {
  start(config());
  const std::string presented = "brute-force-guess-0042";
  constexpr int kAttempts = 40;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kAttempts; ++i) {
    ASSERT_EQ(admin("GET", "/admin/routes", presented).status, 401);
  }
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_LT(took, 2000ms) << "the burst must fit in one window for the counts below";
  ASSERT_TRUE(proxy_->wait_for_log("were not logged one by one", 5s)) << proxy_->log();

  const std::string log = proxy_->log();
  EXPECT_EQ(count_of(log, "admin: refused GET /admin/routes"), 3u) << log;
  EXPECT_NE(log.find(std::to_string(kAttempts - 3) + " more refused admin requests"),
            std::string::npos)
      << log;
  const auto entries = audit_lines(audit_path());
  EXPECT_EQ(count_action(entries, "auth-failed"), 3u);
  ASSERT_EQ(count_action(entries, "auth-failures-suppressed"), 1u);
  for (const auto& entry : entries) {
    if (entry["action"] == "auth-failed") {
      EXPECT_EQ(entry["actor"], "unauthenticated");
      EXPECT_TRUE(entry["token"].is_null());
      EXPECT_NE(entry["reason"].get<std::string>().find("invalid bearer token: GET /admin/routes "
                                                        "from 127.0.0.1:"),
                std::string::npos)
          << entry;
    }
    if (entry["action"] == "auth-failures-suppressed") {
      EXPECT_NE(entry["reason"].get<std::string>().find(std::to_string(kAttempts - 3) + " more"),
                std::string::npos)
          << entry;
    }
  }
  // The presented token is never written anywhere.
  EXPECT_EQ(log.find(presented), std::string::npos);
  std::ifstream in(audit_path());
  const std::string audit_text(std::istreambuf_iterator<char>(in), {});
  EXPECT_EQ(audit_text.find(presented), std::string::npos);

  // After the window a new burst is recorded again.
  ASSERT_EQ(admin("GET", "/metrics", presented).status, 401);
  ASSERT_TRUE(proxy_->wait_for_log("admin: refused GET /metrics", 2s));
}

TEST_F(AdminSecurityTest, BodiesOverTheLimitGet413JsonBeforeTheyAreRead) {
  start(config());
  const std::string big(5000, 'x');
  auto split = admin("PUT", "/admin/routes/orders/split", kAdminToken, big);
  EXPECT_EQ(split.status, 413) << split.body;
  EXPECT_EQ(json::parse(split.body)["error"],
            "request body larger than admin.max_body_bytes (4096 bytes)");

  const std::string big_context =
      R"({"context": {"targetingKey": "u1", "pad": ")" + std::string(5000, 'p') + "\"}}";
  auto ofrep = admin("POST", "/ofrep/v1/evaluate/flags/orders-cutover", kReadToken, big_context);
  EXPECT_EQ(ofrep.status, 413) << ofrep.body;
  auto ofrep_body = json::parse(ofrep.body);
  EXPECT_EQ(ofrep_body["errorCode"], "GENERAL") << "OFREP clients read errorCode/errorDetails";
  EXPECT_NE(ofrep_body["errorDetails"].get<std::string>().find("admin.max_body_bytes"),
            std::string::npos);

  // Chunked: no Content-Length to check up front, so the limit applies while reading.
  std::string chunked =
      "POST /ofrep/v1/evaluate/flags HTTP/1.1\r\nHost: a\r\nAuthorization: "
      "Bearer " +
      std::string(kReadToken) + "\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 6; ++i) chunked += "400\r\n" + std::string(1024, 'c') + "\r\n";
  chunked += "0\r\n\r\n";
  auto raw = raw_exchange(proxy_->admin_port(), chunked);
  EXPECT_EQ(raw.rfind("HTTP/1.1 413", 0), 0u) << raw.substr(0, 200);

  // Just under the limit is fine (JSON may carry that much whitespace).
  const std::string fits = R"({"percent": 10, "reason": "fits")" + std::string(3900, ' ') + "}";
  EXPECT_EQ(admin("PUT", "/admin/routes/orders/split", kAdminToken, fits).status, 200);
  // An unauthenticated client is refused on its head: its body is never buffered.
  auto anonymous = admin("PUT", "/admin/routes/orders/split", "", std::string(3'000'000, 'z'));
  EXPECT_EQ(anonymous.status, 401) << anonymous.error;
}

TEST_F(AdminSecurityTest, ExpectContinueIsAnsweredOnlyForAnAdmittedRequest) {
  start(config());
  const std::string head =
      "POST /ofrep/v1/evaluate/flags HTTP/1.1\r\nHost: a\r\n"
      "Content-Type: application/json\r\nContent-Length: 2\r\n"
      "Expect: 100-continue\r\nConnection: close\r\n";
  auto admitted = raw_exchange(proxy_->admin_port(),
                               head + "Authorization: Bearer " + kReadToken + "\r\n\r\n{}");
  EXPECT_EQ(admitted.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200", 0), 0u)
      << admitted.substr(0, 200);
  auto refused = raw_exchange(proxy_->admin_port(), head + "\r\n");
  EXPECT_EQ(refused.rfind("HTTP/1.1 401", 0), 0u) << refused.substr(0, 200);
}

TEST_F(AdminSecurityTest, SlowAdminClientsAreCutAtTheHeaderTimeoutAndBlockNobody) {
  auto slow_config = config();
  slow_config["timeouts"] = {{"header_read_ms", 600}, {"body_idle_ms", 600}};
  start(slow_config);
  namespace asio = boost::asio;
  asio::io_context io;
  const asio::ip::tcp::endpoint admin_endpoint(asio::ip::make_address("127.0.0.1"),
                                               proxy_->admin_port());
  // Ten clients: five send a head a byte every 100 ms, five send half a body and stall.
  std::vector<asio::ip::tcp::socket> dribblers;
  for (int i = 0; i < 10; ++i) {
    dribblers.emplace_back(io);
    dribblers.back().connect(admin_endpoint);
  }
  const std::string slow_head = "GET /metrics HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " +
                                std::string(kAdminToken) + "\r\n\r\n";
  const std::string stalled_body =
      "PUT /admin/routes/orders/split HTTP/1.1\r\nHost: a\r\n"
      "Authorization: Bearer " +
      std::string(kAdminToken) + "\r\nContent-Length: 100\r\n\r\n{\"percent\":";
  for (int i = 5; i < 10; ++i) asio::write(dribblers[i], asio::buffer(stalled_body));

  const auto started = std::chrono::steady_clock::now();
  std::vector<bool> closed(10, false);
  std::vector<std::chrono::milliseconds> closed_after(10, 0ms);
  std::size_t sent = 0;
  std::chrono::milliseconds slowest_normal{0};
  while (std::chrono::steady_clock::now() - started < 2s) {
    for (int i = 0; i < 5; ++i) {
      if (closed[i] || sent >= slow_head.size()) continue;
      boost::system::error_code ec;
      asio::write(dribblers[i], asio::buffer(&slow_head[sent], 1), ec);
    }
    ++sent;
    // Meanwhile an ordinary admin request is answered at once.
    const auto before = std::chrono::steady_clock::now();
    auto normal = admin("GET", "/admin/routes", kReadToken);
    EXPECT_EQ(normal.status, 200);
    slowest_normal = std::max(slowest_normal, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::steady_clock::now() - before));
    std::this_thread::sleep_for(100ms);
    for (int i = 0; i < 10; ++i) {
      if (closed[i]) continue;
      char byte;
      const ssize_t n = ::recv(dribblers[i].native_handle(), &byte, 1, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
        closed[i] = true;
        closed_after[i] = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - started);
      }
    }
  }
  EXPECT_LT(slowest_normal, 400ms) << "a slow admin client held up an ordinary one";
  for (int i = 0; i < 10; ++i) {
    EXPECT_TRUE(closed[i]) << "client " << i << " was not cut off";
    EXPECT_GE(closed_after[i], 500ms) << "client " << i;
    EXPECT_LE(closed_after[i], 1500ms) << "client " << i;
  }
  EXPECT_EQ(json::parse(admin("GET", "/admin/routes/orders", kAdminToken).body)["new_percent"], 0)
      << "the stalled split never happened";
}

TEST_F(AdminSecurityTest, ConnectionsPastTheCapAreClosedAndAdmittedAgainOnceSomeEnd) {
  start(config());
  namespace asio = boost::asio;
  asio::io_context io;
  const asio::ip::tcp::endpoint admin_endpoint(asio::ip::make_address("127.0.0.1"),
                                               proxy_->admin_port());
  // 256 idle connections (the cap), each known to be accepted before the next one opens.
  std::vector<asio::ip::tcp::socket> idle;
  for (int i = 0; i < 256; ++i) {
    idle.emplace_back(io);
    idle.back().connect(admin_endpoint);
  }
  // The kernel hands connections over in the order they were made, so this one comes 257th.
  EXPECT_EQ(admin("GET", "/healthz", "").status, 0u) << "served past the cap";
  EXPECT_TRUE(proxy_->wait_for_log("256 connections open, closing new ones"));
  for (int i = 0; i < 16; ++i) idle[i].close();
  bool admitted = false;
  for (int attempt = 0; attempt < 50 && !admitted; ++attempt) {
    admitted = admin("GET", "/healthz", "").status == 200;
    if (!admitted) std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(admitted) << "no admin connection admitted after some closed";
}

TEST_F(AdminSecurityTest, TokensAndLimitsFollowAConfigReload) {
  // Set before the start: the process reads its own environment, inherited at fork.
  ::setenv("FICUS_IT_OTHER_TOKEN", "rotated-admin-token-5d1e", 1);
  start(config());
  auto rotated = proxy_->config();
  rotated["admin"]["token_env"] = "FICUS_IT_OTHER_TOKEN";
  rotated["admin"]["max_body_bytes"] = 100;
  proxy_->write_config(rotated);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (admin("GET", "/metrics", "rotated-admin-token-5d1e").status != 200 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(admin("GET", "/metrics", "rotated-admin-token-5d1e").status, 200);
  EXPECT_EQ(admin("GET", "/metrics", kAdminToken).status, 401) << "the old token is gone";
  EXPECT_EQ(admin("POST", "/ofrep/v1/evaluate/flags", kReadToken, std::string(200, ' ')).status,
            413);
}

}  // namespace
}  // namespace ficus::testing
