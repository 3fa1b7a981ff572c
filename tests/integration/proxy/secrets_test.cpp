// No secret ever leaves ficus: every secret gets a known, unmistakable value, every path that
// could print one is exercised (bad authentication, the effective config, config errors, reloads,
// migrate errors with a password in the database URL, the flags CLI), and every output is searched
// for every secret: the proxy's log and access log, each HTTP reply (status, headers and body),
// the audit log, and the output of each command.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <thread>

#include "tests/integration/proxy/proxy_fixture.h"

#ifndef FICUS_BINARY
#error "FICUS_BINARY must name the ficus executable"
#endif

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Distinct from each other and from anything else a run prints.
const std::string kAdminToken = "SECRET-admin-4f9a1c";
const std::string kReadToken = "SECRET-read-8be2d0";
const std::string kOverrideSecret = "SECRET-override-77c3";
const std::string kDbPassword = "SECRET-dbpass-5a0e";
const std::vector<std::string> kSecrets = {kAdminToken, kReadToken, kOverrideSecret, kDbPassword};

std::string describe(const HttpReply& reply) {
  std::string text = std::to_string(reply.status) + " " + reply.error + "\n";
  for (const auto& [name, value] : reply.headers) text += name + ": " + value + "\n";
  return text + reply.body;
}

// Runs ficus with `args` (each single-quoted for the shell) and returns stdout and stderr.
std::string run_ficus(const std::vector<std::string>& args, const std::string& env = {}) {
  std::string command = env.empty() ? "" : env + " ";
  command += std::string("'") + FICUS_BINARY + "'";
  for (const auto& arg : args) command += " '" + arg + "'";
  command += " 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "popen failed";
  std::array<char, 4096> buffer;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  return output + "\n[exit " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + "]";
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class SecretsTest : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    ::setenv("FICUS_SECRET_ADMIN", kAdminToken.c_str(), 1);
    ::setenv("FICUS_SECRET_READ", kReadToken.c_str(), 1);
    ::setenv("FICUS_SECRET_OVERRIDE", kOverrideSecret.c_str(), 1);
    dir_ = make_temp_dir();
    std::ofstream(dir_ / "flags.json") << R"({"flags": {"orders-cutover": {
        "state": "ENABLED", "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
        "targeting": {"fractional": [["old", 1000000], ["new", 0]]}}}})";
    std::filesystem::create_directories(dir_ / "migrations");
    std::ofstream(dir_ / "migrations" / "20260101000000_create.sql")
        << "-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // A database URL with the password, on a port where nothing listens.
  std::string db_url() const {
    return "postgres://app:" + kDbPassword + "@127.0.0.1:" + std::to_string(free_port()) + "/app";
  }

  json config() const {
    auto config = base_config();
    config["flags"] = {{"sources", {"file:" + (dir_ / "flags.json").string()}}};
    config["audit_log"] = {{"path", (dir_ / "audit.jsonl").string()}};
    config["access_log"] = {{"path", "-"}};
    config["routes"][0]["flag"] = "orders-cutover";
    config["routes"][0]["override"] = {{"header", "x-ficus-target"},
                                       {"secret_env", "FICUS_SECRET_OVERRIDE"}};
    config["admin"] = {{"token_env", "FICUS_SECRET_ADMIN"},
                       {"read_only_token_env", "FICUS_SECRET_READ"}};
    config["migrate"] = {{"db", db_url()}, {"dir", (dir_ / "migrations").string()}};
    return config;
  }

  // Every output collected so far, by where it came from.
  void collect(std::string where, std::string text) {
    outputs_.emplace_back(std::move(where), std::move(text));
  }
  HttpReply admin(const std::string& method, const std::string& path,
                  const std::string& authorization, const std::string& body = "") {
    Headers headers;
    if (!authorization.empty()) headers.emplace_back("Authorization", authorization);
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    auto reply = http_request(proxy_->admin_port(), method, path, headers, body);
    collect(method + " " + path + " (" + authorization.substr(0, 6) + "...)", describe(reply));
    return reply;
  }

  std::filesystem::path dir_;
  std::unique_ptr<ProxyProcess> proxy_;
  std::vector<std::pair<std::string, std::string>> outputs_;
};

TEST_F(SecretsTest, NoSecretAppearsInAnyLogReplyAuditEntryOrError) {
  const auto good_config = config();
  proxy_ = std::make_unique<ProxyProcess>(good_config);
  const std::string admin_bearer = "Bearer " + kAdminToken;
  const std::string read_bearer = "Bearer " + kReadToken;

  // Bad authentication, in every shape that carries a secret.
  ASSERT_EQ(admin("GET", "/admin/routes", "Bearer " + kAdminToken + "x").status, 401);
  ASSERT_EQ(admin("GET", "/admin/routes", "Basic " + kAdminToken).status, 401);
  ASSERT_EQ(admin("GET", "/admin/routes", "Bearer " + kAdminToken.substr(0, 12)).status, 401);
  ASSERT_EQ(admin("GET", "/admin/routes", kReadToken).status, 401);
  ASSERT_EQ(admin("PUT", "/admin/routes/orders/split", read_bearer, R"({"percent": 5})").status,
            403);
  ASSERT_EQ(admin("POST", "/admin/routes/orders/kill", read_bearer).status, 403);
  // Successful admin work, read-only reads, and the places that show configuration.
  ASSERT_EQ(admin("PUT", "/admin/routes/orders/split", admin_bearer, R"({"percent": 30})").status,
            200);
  ASSERT_EQ(admin("GET", "/admin/config", admin_bearer).status, 200);
  ASSERT_EQ(admin("GET", "/admin/config", read_bearer).status, 200);
  ASSERT_EQ(admin("GET", "/metrics", read_bearer).status, 200);
  ASSERT_EQ(admin("POST", "/ofrep/v1/evaluate/flags", read_bearer, "{}").status, 200);
  ASSERT_EQ(
      admin("POST", "/ofrep/v1/evaluate/flags/orders-cutover", read_bearer, "{not json").status,
      400);
  // The override secret, right and wrong, through the proxy (its log and access log).
  for (const std::string& value : {"new;" + kOverrideSecret, "new;" + kOverrideSecret + "-no"}) {
    auto reply = http_get(proxy_->port(), "/orders", {{"x-ficus-target", value}});
    EXPECT_EQ(reply.status, 200);
    collect("proxied reply headers", std::to_string(reply.status) + reply.header("x-ficus-target"));
  }

  // Reloads: SIGHUP with the good file, then a broken file that even has a token pasted into it,
  // then the good file again.
  proxy_->signal(SIGHUP);
  ASSERT_TRUE(proxy_->wait_for_log("config reloaded (SIGHUP)"));
  auto broken = good_config;
  broken["admin"]["listen"] = proxy_->config()["admin"]["listen"];
  broken["listen"] = proxy_->config()["listen"];
  // Mistakes that put a secret where ficus reports errors: a token pasted under an unknown key
  // and in place of the variable's name, the database URL where an object belongs.
  broken["admin"]["token"] = kAdminToken;
  broken["admin"]["read_only_token_env"] = kReadToken;
  broken["routes"][0]["override"]["secret_env"] = kOverrideSecret;
  broken["migrate"] = "postgres://app:" + kDbPassword + "@db/app";
  proxy_->write_config(broken);
  ASSERT_TRUE(proxy_->wait_for_log("config reload (file changed) rejected"));
  auto fixed = good_config;
  fixed["admin"]["listen"] = broken["admin"]["listen"];
  fixed["listen"] = broken["listen"];
  proxy_->write_config(fixed);
  ASSERT_TRUE(proxy_->wait_for_log("config reloaded (file changed)"));
  ASSERT_EQ(admin("GET", "/admin/config", admin_bearer).status, 200);

  // The flags CLI with the read-only and a wrong token: its errors name the problem only.
  const std::string address = "127.0.0.1:" + std::to_string(proxy_->admin_port());
  collect("flags kill (read-only token)",
          run_ficus({"flags", "kill", "orders", "--admin", address, "--token", kReadToken}));
  collect("flags status (wrong token)", run_ficus({"flags", "status", "--admin", address},
                                                  "FICUS_ADMIN_TOKEN=" + kAdminToken + "z"));

  // Config errors reported by `ficus check`.
  {
    std::ofstream(dir_ / "broken.json") << broken.dump(2);
    collect("check broken.json", run_ficus({"check", "--config", (dir_ / "broken.json").string()}));
    collect("check good config", run_ficus({"check", "--config", proxy_->config_path().string()}));
  }

  // migrate errors with the password in the URL: unreachable server, a restore without --yes, a
  // mistyped scheme, the URL from the config file and from DATABASE_URL.
  const std::string dir_arg = (dir_ / "migrations").string();
  collect("migrate status --db",
          run_ficus({"migrate", "status", "--db", db_url(), "--dir", dir_arg}));
  collect("migrate up --db", run_ficus({"migrate", "up", "--db", db_url(), "--dir", dir_arg}));
  collect("migrate up --json --db",
          run_ficus({"migrate", "up", "--json", "--db", db_url(), "--dir", dir_arg}));
  collect("migrate restore without --yes",
          run_ficus({"migrate", "restore", "--db", db_url(), "--dir", dir_arg}));
  std::string typo = db_url();
  typo.replace(0, std::string("postgres").size(), "postgress");
  collect("migrate up, mistyped scheme",
          run_ficus({"migrate", "up", "--db", typo, "--dir", dir_arg}));
  collect("migrate plan, mistyped scheme",
          run_ficus({"migrate", "plan", "--db", typo, "--dir", dir_arg}));
  collect("migrate status --config",
          run_ficus({"migrate", "status", "--config", proxy_->config_path().string()}));
  collect("migrate status, DATABASE_URL",
          run_ficus({"migrate", "status", "--dir", dir_arg}, "DATABASE_URL='" + db_url() + "'"));

  // Let the suppression summary (if any) and the last log lines land, then gather the files.
  proxy_->signal(SIGTERM);
  EXPECT_EQ(proxy_->wait_exit(), 0);
  collect("proxy log (stderr and stdout: log and access log)", proxy_->log());
  collect("audit log", read_file(dir_ / "audit.jsonl"));
  collect("flags file", read_file(dir_ / "flags.json"));

  // Guard against a vacuous pass: the paths above did run and did say something.
  std::string everything;
  for (const auto& [where, text] : outputs_) everything += text;
  EXPECT_NE(everything.find("invalid bearer token"), std::string::npos);
  EXPECT_NE(everything.find("the token is read-only"), std::string::npos);
  EXPECT_NE(everything.find("<redacted>"), std::string::npos);
  EXPECT_NE(everything.find("config reload (file changed) rejected"), std::string::npos);
  EXPECT_NE(everything.find("admin.read_only_token_env: not an environment variable name"),
            std::string::npos);
  EXPECT_NE(everything.find("admin.token: unknown key"), std::string::npos);
  EXPECT_NE(everything.find("cannot connect to PostgreSQL"), std::string::npos);
  EXPECT_NE(everything.find("\"auth-failed\""), std::string::npos);
  EXPECT_NE(everything.find("postgres://app:"), std::string::npos)
      << "the URLs are shown (redacted), just not their passwords";

  for (const auto& [where, text] : outputs_) {
    for (const auto& secret : kSecrets) {
      const auto at = text.find(secret);
      EXPECT_EQ(at, std::string::npos)
          << "secret " << secret << " appears in " << where << ":\n"
          << text.substr(at == std::string::npos ? 0 : (at > 200 ? at - 200 : 0), 400);
    }
  }
}

}  // namespace
}  // namespace ficus::testing
