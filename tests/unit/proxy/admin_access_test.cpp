// Who may call which admin endpoint (proxy/admin_access.h), the refusal rate limit
// (proxy/denial_limiter.h), and the admin keys of the config that drive them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "config/config_loader.h"
#include "proxy/admin_access.h"
#include "proxy/denial_limiter.h"

namespace ficus::proxy {
namespace {

using Outcome = AdminAccess::Outcome;
using ::testing::HasSubstr;
using ::testing::Not;

config::AdminConfig with_tokens() {
  config::AdminConfig admin;
  admin.token_env = "FICUS_ADMIN_TOKEN";
  admin.token = "admin-secret";
  admin.read_only_token_env = "FICUS_READ_TOKEN";
  admin.read_only_token = "reader-secret";
  return admin;
}

TEST(AdminAccess, WithoutATokenEverythingIsOpen) {
  const config::AdminConfig open;
  const auto access = authorize(open, http::verb::put, "/admin/routes/orders/split", "");
  EXPECT_EQ(access.outcome, Outcome::allowed);
  EXPECT_EQ(access.credential, AdminCredential::none);
}

TEST(AdminAccess, AdminTokenMayDoEverything) {
  const auto admin = with_tokens();
  for (auto method : {http::verb::get, http::verb::put, http::verb::post, http::verb::delete_}) {
    const auto access =
        authorize(admin, method, "/admin/routes/orders/kill", "Bearer admin-secret");
    EXPECT_EQ(access.outcome, Outcome::allowed) << http::to_string(method);
    EXPECT_EQ(access.credential, AdminCredential::admin);
  }
  EXPECT_EQ(authorize(admin, http::verb::get, "/metrics", "bearer  admin-secret ").outcome,
            Outcome::allowed)
      << "the scheme is case-insensitive and spaces around the token are not part of it";
}

TEST(AdminAccess, ReadOnlyTokenReadsMetricsOfrepAndStatusOnly) {
  const auto admin = with_tokens();
  const std::string bearer = "Bearer reader-secret";
  for (const char* path :
       {"/metrics", "/admin/compare", "/admin/config", "/admin/audit", "/admin/routes",
        "/admin/routes/orders", "/admin/cutovers", "/admin/cutovers/orders"}) {
    const auto access = authorize(admin, http::verb::get, path, bearer);
    EXPECT_EQ(access.outcome, Outcome::allowed) << path;
    EXPECT_EQ(access.credential, AdminCredential::read_only) << path;
  }
  EXPECT_EQ(authorize(admin, http::verb::post, "/ofrep/v1/evaluate/flags/x", bearer).outcome,
            Outcome::allowed)
      << "OFREP evaluates with POST but changes nothing";
  EXPECT_EQ(authorize(admin, http::verb::post, "/ofrep/v1/evaluate/flags", bearer).outcome,
            Outcome::allowed);
}

TEST(AdminAccess, ReadOnlyTokenIsRefusedWith403NamingItForChanges) {
  const auto admin = with_tokens();
  const std::string bearer = "Bearer reader-secret";
  struct Case {
    http::verb method;
    const char* path;
  };
  for (const Case& c :
       {Case{http::verb::put, "/admin/routes/orders/split"},
        Case{http::verb::post, "/admin/routes/orders/kill"},
        Case{http::verb::post, "/admin/routes/orders/restore"},
        Case{http::verb::post, "/admin/cutovers/orders/start"}, Case{http::verb::post, "/metrics"},
        Case{http::verb::delete_, "/admin/audit"}, Case{http::verb::get, "/admin/something-new"}}) {
    const auto access = authorize(admin, c.method, c.path, bearer);
    EXPECT_EQ(access.outcome, Outcome::read_only) << c.path;
    EXPECT_EQ(access.status(), http::status::forbidden);
    EXPECT_EQ(access.credential, AdminCredential::read_only);
    EXPECT_THAT(access.message, HasSubstr("read-only"));
    EXPECT_THAT(access.message, HasSubstr(c.path));
    EXPECT_THAT(access.message, Not(HasSubstr("reader-secret")));
  }
}

TEST(AdminAccess, MissingMalformedOrWrongTokensGet401WithoutEchoingThem) {
  const auto admin = with_tokens();
  struct Case {
    const char* header;
    const char* says;
  };
  for (const Case& c :
       {Case{"", "missing bearer token"}, Case{"Basic admin-secret", "not \"Bearer TOKEN\""},
        Case{"Bearer", "not \"Bearer TOKEN\""}, Case{"Beareradmin-secret", "not \"Bearer TOKEN\""},
        Case{"Bearer admin-secret-and-more", "invalid bearer token"},
        Case{"Bearer admin-secre", "invalid bearer token"},
        Case{"Bearer ", "not \"Bearer TOKEN\""}}) {
    const auto access = authorize(admin, http::verb::get, "/metrics", c.header);
    EXPECT_EQ(access.outcome, Outcome::unauthenticated) << c.header;
    EXPECT_EQ(access.status(), http::status::unauthorized);
    EXPECT_THAT(access.message, HasSubstr(c.says)) << c.header;
    EXPECT_THAT(access.message, Not(HasSubstr("secret"))) << c.header;
  }
}

TEST(AdminAccess, HealthAndReadinessAreOpenToAnyone) {
  const auto admin = with_tokens();
  for (const char* path : {"/healthz", "/readyz"}) {
    const auto access = authorize(admin, http::verb::get, path, "Bearer wrong");
    EXPECT_EQ(access.outcome, Outcome::allowed) << path;
    EXPECT_EQ(access.credential, AdminCredential::anonymous);
  }
}

TEST(AdminAccess, CredentialNamesAreTheOnesTheAuditLogUses) {
  EXPECT_EQ(to_string(AdminCredential::admin), "admin");
  EXPECT_EQ(to_string(AdminCredential::read_only), "read-only");
  EXPECT_EQ(to_string(AdminCredential::none), "none");
}

TEST(DenialLimiter, RecordsTheFirstNThenCountsTheRestUntilTheWindowCloses) {
  DenialLimiter limiter;
  auto first = limiter.admit(3);
  EXPECT_TRUE(first.record);
  EXPECT_TRUE(first.opened_window);
  for (int i = 0; i < 2; ++i) {
    auto next = limiter.admit(3);
    EXPECT_TRUE(next.record);
    EXPECT_FALSE(next.opened_window);
  }
  for (int i = 0; i < 97; ++i) EXPECT_FALSE(limiter.admit(3).record);
  EXPECT_TRUE(limiter.window_open());
  EXPECT_EQ(limiter.close_window(), 97u);
  EXPECT_FALSE(limiter.window_open());
  // A new window records again from zero.
  auto again = limiter.admit(3);
  EXPECT_TRUE(again.record);
  EXPECT_TRUE(again.opened_window);
  EXPECT_EQ(limiter.close_window(), 0u) << "nothing suppressed: no summary";
}

TEST(DenialLimiter, ZeroRecordsOnlySummaries) {
  DenialLimiter limiter;
  EXPECT_FALSE(limiter.admit(0).record);
  EXPECT_FALSE(limiter.admit(0).record);
  EXPECT_EQ(limiter.close_window(), 2u);
}

// The admin keys as `ficus serve` reads them.
class AdminConfigKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("FICUS_UNIT_ADMIN_TOKEN", "unit-admin-token", 1);
    ::setenv("FICUS_UNIT_READ_TOKEN", "unit-read-token", 1);
  }
  static config::LoadResult load(nlohmann::json admin) {
    const nlohmann::json document = {
        {"admin", std::move(admin)},
        {"upstreams", {{"legacy", {{"endpoints", {"127.0.0.1:9001"}}}}}},
        {"routes", {{{"name", "all"}, {"match", {{"path_prefix", "/"}}}, {"old", "legacy"}}}}};
    return config::parse_config(document.dump(), "/etc/ficus/ficus.json");
  }
  static std::string errors_of(const config::LoadResult& result) {
    std::string text;
    for (const auto& error : result.errors) text += error.to_string() + "\n";
    return text;
  }
};

TEST_F(AdminConfigKeys, DefaultsAreOneMebibyteAndTenRefusalsPerMinute) {
  auto result = load(nlohmann::json::object());
  ASSERT_TRUE(result.ok()) << errors_of(result);
  EXPECT_EQ(result.config->admin.max_body_bytes, 1024u * 1024u);
  EXPECT_EQ(result.config->admin.auth_failure_log_max, 10u);
  EXPECT_EQ(result.config->admin.auth_failure_log_interval, std::chrono::minutes(1));
}

TEST_F(AdminConfigKeys, ReadOnlyTokenAndLimitsAreReadAndShownRedacted) {
  auto result = load({{"token_env", "FICUS_UNIT_ADMIN_TOKEN"},
                      {"read_only_token_env", "FICUS_UNIT_READ_TOKEN"},
                      {"max_body_bytes", 4096},
                      {"auth_failure_log_max", 3},
                      {"auth_failure_log_interval_ms", 500}});
  ASSERT_TRUE(result.ok()) << errors_of(result);
  const auto& admin = result.config->admin;
  EXPECT_EQ(admin.read_only_token, "unit-read-token");
  EXPECT_EQ(admin.max_body_bytes, 4096u);
  EXPECT_EQ(admin.auth_failure_log_max, 3u);
  EXPECT_EQ(admin.auth_failure_log_interval, std::chrono::milliseconds(500));
  const std::string shown = config::to_redacted_json(*result.config).dump();
  EXPECT_THAT(shown, Not(HasSubstr("unit-read-token")));
  EXPECT_THAT(shown, Not(HasSubstr("unit-admin-token")));
  EXPECT_THAT(shown, HasSubstr(R"("read_only_token":"<redacted>")"));
  EXPECT_THAT(shown, HasSubstr(R"("read_only_token_env":"FICUS_UNIT_READ_TOKEN")"));
}

TEST_F(AdminConfigKeys, ReadOnlyTokenWithoutAnAdminTokenIsAnError) {
  auto result = load({{"read_only_token_env", "FICUS_UNIT_READ_TOKEN"}});
  EXPECT_THAT(errors_of(result),
              HasSubstr("admin.read_only_token_env: a read-only token needs an admin token too"));
}

TEST_F(AdminConfigKeys, TheSameValueForBothTokensIsAnError) {
  ::setenv("FICUS_UNIT_SAME_TOKEN", "unit-admin-token", 1);
  auto result = load(
      {{"token_env", "FICUS_UNIT_ADMIN_TOKEN"}, {"read_only_token_env", "FICUS_UNIT_SAME_TOKEN"}});
  const std::string errors = errors_of(result);
  EXPECT_THAT(errors, HasSubstr("FICUS_UNIT_SAME_TOKEN holds the same token as "
                                "FICUS_UNIT_ADMIN_TOKEN"));
  EXPECT_THAT(errors, Not(HasSubstr("unit-admin-token"))) << "the error names, never shows";
}

TEST_F(AdminConfigKeys, ZeroBodyLimitIsRejected) {
  auto result = load({{"max_body_bytes", 0}});
  EXPECT_THAT(errors_of(result), HasSubstr("admin.max_body_bytes"));
}

}  // namespace
}  // namespace ficus::proxy
