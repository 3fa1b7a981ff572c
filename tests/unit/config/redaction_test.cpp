// What GET /admin/config shows: the effective config, with secrets replaced.
#include <stdlib.h>

#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/config_loader.h"
#include "config/redaction.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::config {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(RedactUrlCredentials, ReplacesOnlyThePassword) {
  EXPECT_EQ(redact_url_credentials("http://app:s3cret@db.internal:5432/x?y=1"),
            "http://app:<redacted>@db.internal:5432/x?y=1");
  EXPECT_EQ(redact_url_credentials("postgres://u:p%40ss@h/db"), "postgres://u:<redacted>@h/db");
}

TEST(RedactUrlCredentials, LeavesTextWithoutAPasswordAlone) {
  EXPECT_EQ(redact_url_credentials("http://app@db.internal/x"), "http://app@db.internal/x");
  EXPECT_EQ(redact_url_credentials("file:/etc/ficus/flags.json"), "file:/etc/ficus/flags.json");
  EXPECT_EQ(redact_url_credentials("not a url: at all"), "not a url: at all");
  EXPECT_EQ(redact_url_credentials(""), "");
}

TEST(RedactedJson, AdminTokenValueNeverAppears) {
  ::setenv("FICUS_TEST_REDACTED_TOKEN", "tok-9f8e7d-secret", 1);
  LoadResult loaded = parse_config(R"({
    "admin": {"listen": "0.0.0.0:9901", "token_env": "FICUS_TEST_REDACTED_TOKEN"},
    "upstreams": {"legacy": {"endpoints": ["127.0.0.1:9001"]}},
    "routes": [{"name": "default", "old": "legacy"}]
  })",
                                   "/etc/ficus/ficus.json");
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().to_string();
  ASSERT_EQ(loaded.config->admin.token, "tok-9f8e7d-secret");

  const json shown = to_redacted_json(*loaded.config);
  EXPECT_EQ(shown.dump().find("tok-9f8e7d"), std::string::npos) << shown.dump();
  EXPECT_EQ(shown["admin"]["token"], "<redacted>");
  EXPECT_EQ(shown["admin"]["token_env"], "FICUS_TEST_REDACTED_TOKEN");
  EXPECT_EQ(shown["admin"]["listen"], "0.0.0.0:9901");
}

TEST(RedactedJson, ShowsEveryDefault) {
  LoadResult loaded = parse_config(R"({
    "upstreams": {"legacy": {"endpoints": ["[::1]:9001"]}},
    "routes": [{"name": "default", "old": "legacy"}]
  })",
                                   "/etc/ficus/ficus.json");
  ASSERT_TRUE(loaded.ok());
  const json shown = to_redacted_json(*loaded.config);
  EXPECT_EQ(shown["listen"], "127.0.0.1:8080");
  EXPECT_EQ(shown["threads"], 1);
  EXPECT_EQ(shown["timeouts"]["upstream_ms"], 30'000);
  EXPECT_EQ(shown["limits"]["max_body_bytes"], 2ULL << 30);
  EXPECT_EQ(shown["upstreams"]["legacy"]["endpoints"], json({"[::1]:9001"}));
  EXPECT_EQ(shown["upstreams"]["legacy"]["pool"]["max_idle"], 64);
  EXPECT_EQ(shown["routes"][0], json::parse(R"({"name": "default", "old": "legacy",
                                                "match": {"path_prefix": "/"}})"));
  EXPECT_FALSE(shown["admin"].contains("token"));
  EXPECT_FALSE(shown.contains("access_log"));
}

// Without a token the shown config is itself a valid config file with the same meaning.
TEST(RedactedJson, LoadsBackToTheSameConfig) {
  ficus::testing::TempDir dir;
  const auto file = dir.write("ficus.json", R"({
    "listen": "0.0.0.0:8080",
    "threads": 4,
    "flags": {"sources": ["file:flags.json"]},
    "upstreams": {
      "legacy": {"endpoints": ["127.0.0.1:9001", "[::1]:9001"], "pool": {"max_idle": 8}},
      "orders-v2": {"endpoints": ["orders.internal:9002"], "connect_timeout_ms": 500}
    },
    "routes": [
      {"name": "orders", "match": {"host": "*.example.com", "path_prefix": "/orders"},
       "old": "legacy", "new": "orders-v2", "flag": "orders-cutover",
       "bucket_by": [{"header": "x-user-id"}, {"cookie": "uid"}, {"query": "u"}, "client_ip"],
       "timeout_ms": 15000, "override": {"cookie": "force", "secret_env": "FORCE_SECRET"},
       "pin_cookie": "ficus_pin"},
      {"name": "default", "old": "legacy"}
    ],
    "limits": {"max_body_bytes": 1048576},
    "timeouts": {"drain_ms": 0},
    "ficus_headers": false,
    "trusted_proxies": ["10.0.0.0/8"],
    "access_log": {"path": "access.log"}
  })");
  LoadResult first = load_config_file(file);
  ASSERT_TRUE(first.ok()) << first.errors.front().to_string();
  const json shown = to_redacted_json(*first.config);

  LoadResult second = parse_config(shown.dump(), file);
  ASSERT_TRUE(second.ok()) << second.errors.front().to_string();
  EXPECT_EQ(to_redacted_json(*second.config), shown);
  EXPECT_EQ(shown["access_log"]["path"], (fs::path(dir.path()) / "access.log").string());
  EXPECT_EQ(shown["routes"][0]["override"]["header"], "x-ficus-target");
}

}  // namespace
}  // namespace ficus::config
