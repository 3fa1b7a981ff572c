// Every validation rule: a config broken in exactly one way yields exactly one error, with the JSON
// path and the message a user would read.
#include <stdlib.h>

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/config_loader.h"

namespace ficus::config {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A small valid config; each test breaks one thing in it.
json valid_config() {
  return json::parse(R"({
    "flags": {"sources": ["file:flags.json"]},
    "upstreams": {
      "legacy": {"endpoints": ["127.0.0.1:9001"]},
      "orders-v2": {"endpoints": ["127.0.0.1:9002"]}
    },
    "routes": [
      {"name": "orders", "match": {"path_prefix": "/orders"}, "old": "legacy", "new": "orders-v2",
       "flag": "orders-cutover"},
      {"name": "default", "old": "legacy"}
    ]
  })");
}

LoadResult parse(const json& config) {
  return parse_config(config.dump(), "/etc/ficus/ficus.json");
}

// "path: message" for each error, in the order reported.
std::vector<std::string> errors_of(const json& config) {
  std::vector<std::string> out;
  for (const ConfigError& error : parse(config).errors)
    out.push_back(error.path + ": " + error.message);
  return out;
}

std::shared_ptr<const ProxyConfig> loaded(const json& config) {
  LoadResult result = parse(config);
  for (const ConfigError& error : result.errors) ADD_FAILURE() << error.to_string();
  return result.config;
}

TEST(ConfigValidation, ValidConfigLoadsWithDefaults) {
  auto config = loaded(valid_config());
  ASSERT_NE(config, nullptr);
  EXPECT_EQ(config->listen, (HostPort{"127.0.0.1", 8080}));
  EXPECT_EQ(config->admin.listen, (HostPort{"127.0.0.1", 9901}));
  EXPECT_EQ(config->threads, 1u);
  EXPECT_EQ(config->timeouts.upstream, Millis(30'000));
  EXPECT_EQ(config->routes[1].match.path_prefix, "/");  // "match" is optional
  EXPECT_TRUE(config->routes[1].match.host.empty());
  EXPECT_FALSE(config->routes[0].timeout.has_value());
}

TEST(ConfigValidation, UnknownUpstreamInNewListsKnownOnes) {
  json config = valid_config();
  config["routes"][0]["new"] = "orders-v3";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(R"(routes[0].new: unknown upstream "orders-v3" (known: legacy, orders-v2))"));
}

TEST(ConfigValidation, UnknownUpstreamInOld) {
  json config = valid_config();
  config["routes"][1]["old"] = "legasy";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(R"(routes[1].old: unknown upstream "legasy" (known: legacy, orders-v2))"));
}

TEST(ConfigValidation, NewEqualToOldIsRejected) {
  json config = valid_config();
  config["routes"][0]["new"] = "legacy";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].new: "new" and "old" are both "legacy"; point "new" at the new implementation or remove it)"));
}

TEST(ConfigValidation, UnknownTopLevelKeySuggestsTheClosestKey) {
  json config = valid_config();
  config["treads"] = 2;
  EXPECT_THAT(errors_of(config), ElementsAre(R"(treads: unknown key (did you mean "threads"?))"));
}

TEST(ConfigValidation, UnknownRouteKeyMissingItsUnitSuggestsTheUnitKey) {
  json config = valid_config();
  config["routes"][0]["timeout"] = 5000;
  EXPECT_THAT(errors_of(config),
              ElementsAre(R"(routes[0].timeout: unknown key (did you mean "timeout_ms"?))"));
}

TEST(ConfigValidation, UnknownKeyWithNothingCloseListsTheKnownKeys) {
  json config = valid_config();
  config["limits"] = {{"colour", 1}};
  EXPECT_THAT(errors_of(config),
              ElementsAre("limits.colour: unknown key (known keys: max_header_bytes, "
                          "max_body_bytes, max_connections)"));
}

TEST(ConfigValidation, UnknownKeyInUpstreamPool) {
  json config = valid_config();
  config["upstreams"]["legacy"]["pool"] = {{"max_idel", 4}};
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(R"(upstreams.legacy.pool.max_idel: unknown key (did you mean "max_idle"?))"));
}

TEST(ConfigValidation, WrongTypeNamesWhatWasExpectedAndWhatWasFound) {
  json config = valid_config();
  config["threads"] = "2";
  config["ficus_headers"] = "yes";
  config["admin"] = json::array();
  EXPECT_THAT(errors_of(config),
              ElementsAre("admin: expected an object, got an array",
                          R"(threads: expected a whole number, got string "2")",
                          R"(ficus_headers: expected true or false, got string "yes")"));
}

TEST(ConfigValidation, FractionalNumberIsNotAWholeNumber) {
  json config = valid_config();
  config["threads"] = 1.5;
  EXPECT_THAT(errors_of(config), ElementsAre("threads: expected a whole number, got number 1.5"));
}

TEST(ConfigValidation, ThreadsMustBeBetween1And256) {
  json config = valid_config();
  config["threads"] = 0;
  EXPECT_THAT(errors_of(config), ElementsAre("threads: must be between 1 and 256, got 0"));
  config["threads"] = 257;
  EXPECT_THAT(errors_of(config), ElementsAre("threads: must be between 1 and 256, got 257"));
  config["threads"] = 256;
  EXPECT_THAT(errors_of(config), IsEmpty());
}

TEST(ConfigValidation, SizesMustBePositive) {
  json config = valid_config();
  config["limits"] = {{"max_body_bytes", 0}, {"max_header_bytes", -1}};
  EXPECT_THAT(errors_of(config),
              ElementsAre("limits.max_header_bytes: must be between 1 and 4294967295, got -1",
                          "limits.max_body_bytes: must be at least 1, got 0"));
}

TEST(ConfigValidation, DurationGivenAsStringAsksForMilliseconds) {
  json config = valid_config();
  config["routes"][0]["timeout_ms"] = "15s";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].timeout_ms: expected a whole number of milliseconds (e.g. 15000), got string "15s")"));
}

TEST(ConfigValidation, DurationsMustBePositiveAndAtMostADay) {
  json config = valid_config();
  config["timeouts"] = {{"upstream_ms", 0}, {"header_read_ms", 86'400'001}, {"drain_ms", 0}};
  EXPECT_THAT(errors_of(config),
              ElementsAre("timeouts.header_read_ms: must be between 1 and 86400000, got 86400001",
                          "timeouts.upstream_ms: must be between 1 and 86400000, got 0"));
}

TEST(ConfigValidation, PortsMustBeBetween1And65535) {
  json config = valid_config();
  config["listen"] = "127.0.0.1:0";
  EXPECT_THAT(errors_of(config),
              ElementsAre(R"(listen: port 0 is out of range 1..65535 in "127.0.0.1:0")"));
  config["listen"] = "127.0.0.1:65536";
  EXPECT_THAT(errors_of(config),
              ElementsAre(R"(listen: port 65536 is out of range 1..65535 in "127.0.0.1:65536")"));
}

TEST(ConfigValidation, AddressWithoutPortIsRejected) {
  json config = valid_config();
  config["listen"] = "8080";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(listen: "8080" has no port; expected "host:port" such as "127.0.0.1:8080" or "[::1]:8080")"));
}

TEST(ConfigValidation, Ipv6AddressesNeedBrackets) {
  json config = valid_config();
  config["listen"] = "[::1]:8080";
  auto ok = loaded(config);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->listen, (HostPort{"::1", 8080}));

  config["listen"] = "::1:8080";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(listen: expected "host:port" such as "127.0.0.1:8080" or "[::1]:8080", got "::1:8080")"));
}

TEST(ConfigValidation, EndpointWithCredentialsIsRejected) {
  json config = valid_config();
  config["upstreams"]["legacy"]["endpoints"][0] = "user:pw@127.0.0.1:9001";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(upstreams.legacy.endpoints[0]: "user:pw@127.0.0.1:9001" contains credentials (user@); an address is only "host:port")"));
}

TEST(ConfigValidation, UpstreamNeedsAtLeastOneEndpoint) {
  json config = valid_config();
  config["upstreams"]["legacy"]["endpoints"] = json::array();
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(upstreams.legacy.endpoints: needs at least one "host:port", e.g. ["127.0.0.1:9001"])"));
  config["upstreams"]["legacy"].erase("endpoints");
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(upstreams.legacy.endpoints: missing required key: a list of "host:port", e.g. ["127.0.0.1:9001"])"));
}

TEST(ConfigValidation, EndpointListedTwiceIsRejected) {
  json config = valid_config();
  config["upstreams"]["legacy"]["endpoints"] = {"127.0.0.1:9001", "127.0.0.1:9001"};
  EXPECT_THAT(errors_of(config),
              ElementsAre("upstreams.legacy.endpoints[1]: 127.0.0.1:9001 is listed twice; remove "
                          "one (round-robin already spreads load)"));
}

TEST(ConfigValidation, UpstreamNameMustBeUsableAsALabel) {
  json config = valid_config();
  config["upstreams"]["orders v2"] = {{"endpoints", {"127.0.0.1:9003"}}};
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(upstreams["orders v2"]: "orders v2" is not a valid upstream name; use only letters, digits, '_', '.' and '-')"));
}

TEST(ConfigValidation, PoolCannotKeepMoreIdleConnectionsThanItMayOpen) {
  json config = valid_config();
  config["upstreams"]["legacy"]["pool"] = {{"max_idle", 10}, {"max_connections", 5}};
  EXPECT_THAT(errors_of(config),
              ElementsAre("upstreams.legacy.pool.max_idle: 10 idle connections can never be kept "
                          "with max_connections 5; lower max_idle or raise max_connections"));
}

TEST(ConfigValidation, UpstreamsAndRoutesAreRequiredAndNonEmpty) {
  json config = valid_config();
  config.erase("upstreams");
  config.erase("routes");
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(upstreams: missing required key: an object of named upstreams, e.g. {"legacy": {"endpoints": ["127.0.0.1:9001"]}})",
          R"(routes: missing required key: a list of routes, e.g. [{"name": "default", "old": "legacy"}])"));
  config = valid_config();
  config["routes"] = json::array();
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes: no routes defined; add at least one, e.g. {"name": "default", "old": "legacy"})"));
}

TEST(ConfigValidation, RouteNeedsNameAndOld) {
  json config = valid_config();
  config["routes"][1] = json::object();
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[1].name: missing required key: a unique name used in metrics and logs, e.g. "orders")",
          R"(routes[1].old: missing required key: the upstream that serves this route today (a key of "upstreams"))"));
}

TEST(ConfigValidation, RouteNamesMustBeUnique) {
  json config = valid_config();
  config["routes"][1]["name"] = "orders";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[1].name: duplicate route name "orders" (also routes[0]); route names must be unique)"));
}

TEST(ConfigValidation, RouteNameCharactersAreRestricted) {
  json config = valid_config();
  config["routes"][1]["name"] = "catch all";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[1].name: "catch all" is not a valid route name; use only letters, digits, '_', '.' and '-')"));
}

TEST(ConfigValidation, PathPrefixMustStartWithSlash) {
  json config = valid_config();
  config["routes"][0]["match"]["path_prefix"] = "orders";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(R"(routes[0].match.path_prefix: "orders" must start with '/', e.g. "/orders")"));
}

TEST(ConfigValidation, PathPrefixCannotContainAQuery) {
  json config = valid_config();
  config["routes"][0]["match"]["path_prefix"] = "/orders?id=1";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].match.path_prefix: "/orders?id=1" contains '?' or '#'; routes match the path only, never the query)"));
}

TEST(ConfigValidation, PathPrefixWithTrailingSlashSuggestsTheSegmentForm) {
  json config = valid_config();
  config["routes"][0]["match"]["path_prefix"] = "/orders/";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].match.path_prefix: "/orders/" ends with '/'; write "/orders" (it matches "/orders" and everything below it))"));
}

TEST(ConfigValidation, HostPatternIsExactOrLeadingWildcard) {
  json config = valid_config();
  config["routes"][0]["match"]["host"] = "api.*.example.com";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].match.host: "api.*.example.com": a wildcard must be the whole first label; use an exact name such as "api.example.com" or a wildcard such as "*.example.com")"));
  config["routes"][0]["match"]["host"] = "api example.com";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].match.host: "api example.com" is not a host name; use an exact name such as "api.example.com" or a wildcard such as "*.example.com")"));
  config["routes"][0]["match"]["host"] = "api..example.com";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].match.host: "api..example.com" has an empty label; use an exact name such as "api.example.com" or a wildcard such as "*.example.com")"));
}

TEST(ConfigValidation, HostPatternWithPortIsRejected) {
  json config = valid_config();
  config["routes"][0]["match"]["host"] = "api.example.com:8080";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].match.host: "api.example.com:8080" includes a port; the port is ignored when matching, so write the host alone)"));
}

TEST(ConfigValidation, BareStarHostAsksToLeaveHostOut) {
  json config = valid_config();
  config["routes"][0]["match"]["host"] = "*";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].match.host: "*" is not needed: leave out match.host to match any host)"));
}

TEST(ConfigValidation, HostPatternIsStoredLowerCase) {
  json config = valid_config();
  config["routes"][0]["match"]["host"] = "*.Example.COM";
  auto ok = loaded(config);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->routes[0].match.host, "*.example.com");
}

TEST(ConfigValidation, TwoRoutesWithSameHostAndPrefixAreAmbiguous) {
  json config = valid_config();
  config["routes"][1]["match"] = {{"path_prefix", "/orders"}};
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[1].match: ambiguous: routes[0] has the same match (any host, path_prefix "/orders"); change one of them or merge the two routes)"));

  config["routes"][0]["match"]["host"] = "API.example.com";
  config["routes"][1]["match"]["host"] = "api.example.com";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[1].match: ambiguous: routes[0] has the same match (host "api.example.com", path_prefix "/orders"); change one of them or merge the two routes)"));

  config["routes"][1]["match"]["host"] = "*.example.com";  // a different pattern: no clash
  EXPECT_THAT(errors_of(config), IsEmpty());
}

TEST(ConfigValidation, FlagRequiresNew) {
  json config = valid_config();
  config["routes"][0].erase("new");
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].flag: "flag" requires "new": the flag chooses between "old" and "new"; add "new" or remove "flag")"));
}

TEST(ConfigValidation, FlagRequiresAFlagSource) {
  json config = valid_config();
  config.erase("flags");
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].flag: flag "orders-cutover" can never be read: no flag sources are configured; add flags.sources, e.g. ["file:flags.json"])"));
}

TEST(ConfigValidation, BucketByAcceptsEveryDocumentedForm) {
  json config = valid_config();
  config["routes"][0]["bucket_by"] = json::parse(
      R"([{"header": "X-User-Id"}, {"cookie": "uid"}, {"query": "user"}, "client_ip"])");
  auto ok = loaded(config);
  ASSERT_NE(ok, nullptr);
  using Kind = BucketSource::Kind;
  EXPECT_THAT(
      ok->routes[0].bucket_by,
      ElementsAre(BucketSource{Kind::header, "x-user-id"}, BucketSource{Kind::cookie, "uid"},
                  BucketSource{Kind::query, "user"}, BucketSource{Kind::client_ip, ""}));

  config["routes"][0]["bucket_by"] = "random";
  ok = loaded(config);
  ASSERT_NE(ok, nullptr);
  EXPECT_THAT(ok->routes[0].bucket_by, ElementsAre(BucketSource{Kind::random, ""}));
}

TEST(ConfigValidation, BucketByRejectsUnknownForms) {
  json config = valid_config();
  config["routes"][0]["bucket_by"] = "user";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].bucket_by: unknown bucketing source "user"; use "client_ip", "random", {"header": NAME}, {"cookie": NAME} or {"query": NAME}, or an array of these)"));

  config["routes"][0]["bucket_by"] = {{"header", "x-user-id"}, {"cookie", "uid"}};
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].bucket_by: needs exactly one of "header", "cookie" or "query"; for several sources write an array, e.g. [{"header": "x-user-id"}, {"cookie": "uid"}])"));

  config["routes"][0]["bucket_by"] = {{"heder", "x-user-id"}};
  EXPECT_THAT(errors_of(config),
              ElementsAre(R"(routes[0].bucket_by.heder: unknown key (did you mean "header"?))"));

  config["routes"][0]["bucket_by"] = {{"header", "x user"}};
  EXPECT_THAT(errors_of(config),
              ElementsAre(R"(routes[0].bucket_by.header: "x user" is not a valid header name)"));

  config["routes"][0]["bucket_by"] = json::array();
  EXPECT_THAT(errors_of(config),
              ElementsAre("routes[0].bucket_by: empty; leave out bucket_by for random bucketing, "
                          "or list sources"));

  config["routes"][0]["bucket_by"] = {42};
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].bucket_by[0]: expected a bucketing source, got number 42; use "client_ip", "random", {"header": NAME}, {"cookie": NAME} or {"query": NAME}, or an array of these)"));
}

TEST(ConfigValidation, BucketSourceThatAlwaysYieldsAKeyMustBeLast) {
  json config = valid_config();
  config["routes"][0]["bucket_by"] = json::parse(R"(["client_ip", {"header": "x-user-id"}])");
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].bucket_by[0]: "client_ip" always yields a key, so the sources after it are never used; move it last)"));
}

TEST(ConfigValidation, OverrideAndPinCookieNamesAreChecked) {
  json config = valid_config();
  config["routes"][0]["override"] = {
      {"header", "X-Force"}, {"cookie", "a b"}, {"secret_env", "1X"}};
  config["routes"][0]["pin_cookie"] = "pin;";
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(routes[0].override.cookie: "a b" is not a valid cookie name)",
          R"(routes[0].override.secret_env: not an environment variable name (the value is not shown, in case it is the secret itself); name the variable that holds it, with letters, digits and '_', not starting with a digit)",
          R"(routes[0].pin_cookie: "pin;" is not a valid cookie name)"));

  config["routes"][0]["override"] = {{"header", "X-Force"}};
  config["routes"][0]["pin_cookie"] = "ficus_pin";
  auto ok = loaded(config);
  ASSERT_NE(ok, nullptr);
  ASSERT_TRUE(ok->routes[0].override_target.has_value());
  EXPECT_EQ(ok->routes[0].override_target->header, "x-force");
  EXPECT_EQ(ok->routes[0].pin_cookie, "ficus_pin");
  EXPECT_FALSE(ok->routes[1].override_target.has_value());
}

TEST(ConfigValidation, FlagSourcesMustUseTheFileScheme) {
  json config = valid_config();
  config["flags"]["sources"] = {"http://flags.internal/flags.json", "flags.json",
                                "file:", "file://remote/flags.json"};
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(flags.sources[0]: unsupported flag source "http:": only "file:PATH" is supported (PATH relative to this file's folder))",
          R"(flags.sources[1]: "flags.json" has no scheme; write "file:flags.json")",
          R"(flags.sources[2]: "file:" needs a path, e.g. "file:flags.json")",
          R"(flags.sources[3]: "file://remote/flags.json" names a remote host; write "file:///absolute/path" or "file:relative/path")"));
}

TEST(ConfigValidation, FlagSourceFileUriWithEmptyHostIsAnAbsolutePath) {
  json config = valid_config();
  config["flags"]["sources"] = {"file:///srv/flags/a.json", "file:b.json"};
  auto ok = loaded(config);
  ASSERT_NE(ok, nullptr);
  EXPECT_THAT(ok->flags.sources, ElementsAre("file:/srv/flags/a.json", "file:/etc/ficus/b.json"));
}

TEST(ConfigValidation, AdminTokenIsReadFromTheNamedVariable) {
  ::setenv("FICUS_TEST_ADMIN_TOKEN_SET", "t0ken", 1);
  json config = valid_config();
  config["admin"] = {{"listen", "0.0.0.0:9901"}, {"token_env", "FICUS_TEST_ADMIN_TOKEN_SET"}};
  auto ok = loaded(config);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->admin.token, "t0ken");
  EXPECT_EQ(ok->admin.listen, (HostPort{"0.0.0.0", 9901}));
}

TEST(ConfigValidation, MissingOrEmptyTokenVariableIsNamed) {
  ::unsetenv("FICUS_TEST_ADMIN_TOKEN_UNSET");
  ::setenv("FICUS_TEST_ADMIN_TOKEN_EMPTY", "", 1);
  json config = valid_config();
  config["admin"] = {{"token_env", "FICUS_TEST_ADMIN_TOKEN_UNSET"}};
  EXPECT_THAT(errors_of(config),
              ElementsAre("admin.token_env: environment variable FICUS_TEST_ADMIN_TOKEN_UNSET is "
                          "not set or is empty; set it to the admin bearer token before starting "
                          "ficus"));
  config["admin"] = {{"token_env", "FICUS_TEST_ADMIN_TOKEN_EMPTY"}};
  EXPECT_THAT(errors_of(config),
              ElementsAre("admin.token_env: environment variable FICUS_TEST_ADMIN_TOKEN_EMPTY is "
                          "not set or is empty; set it to the admin bearer token before starting "
                          "ficus"));
  config["admin"] = {{"token_env", "MY-TOKEN"}};
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(admin.token_env: not an environment variable name (the value is not shown, in case it is the admin bearer token itself); name the variable that holds it, with letters, digits and '_', not starting with a digit)"));
}

TEST(ConfigValidation, AdminOnANonLoopbackAddressNeedsAToken) {
  json config = valid_config();
  config["admin"] = {{"listen", "0.0.0.0:9901"}};
  EXPECT_THAT(errors_of(config),
              ElementsAre("admin.listen: admin API exposed on 0.0.0.0:9901 without a token: set "
                          "admin.token_env"));
  config["admin"] = {{"listen", "[::]:9901"}};
  EXPECT_THAT(errors_of(config),
              ElementsAre("admin.listen: admin API exposed on [::]:9901 without a token: set "
                          "admin.token_env"));
  for (const char* loopback : {"127.0.0.2:9901", "[::1]:9901", "localhost:9901"}) {
    config["admin"] = {{"listen", loopback}};
    EXPECT_THAT(errors_of(config), IsEmpty()) << loopback;
  }
}

TEST(ConfigValidation, AdminCannotShareTheProxyAddress) {
  json config = valid_config();
  config["listen"] = "127.0.0.1:9901";
  EXPECT_THAT(errors_of(config),
              ElementsAre("admin.listen: same address as listen (127.0.0.1:9901); give the admin "
                          "API its own port"));
}

TEST(ConfigValidation, AnInvalidValueIsReportedOnceNotAgainByChecksThatUseIt) {
  json config = valid_config();
  config["listen"] = "127.0.0.1:99999";  // falls back to the default, which must not be compared
  config["admin"] = {{"listen", "127.0.0.1:8080"}};
  config["routes"][0]["new"] = 7;  // written, so "flag requires new" does not apply
  EXPECT_THAT(errors_of(config),
              ElementsAre(R"(listen: port 99999 is out of range 1..65535 in "127.0.0.1:99999")",
                          "routes[0].new: expected a string, got number 7"));
}

TEST(ConfigValidation, TrustedProxiesAreAddressesOrCidrRanges) {
  json config = valid_config();
  config["trusted_proxies"] = {"10.0.0.0/8", "fd00::/8",    "192.0.2.7",
                               "10.1.2.3/8", "10.0.0.0/33", "proxy.local"};
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(trusted_proxies[3]: "10.1.2.3/8" has bits set past the prefix length; did you mean "10.0.0.0/8"?)",
          R"(trusted_proxies[4]: "10.0.0.0/33" is not an address or CIDR range; write e.g. "10.0.0.0/8", "fd00::/8" or "192.0.2.7")",
          R"(trusted_proxies[5]: "proxy.local" is not an address or CIDR range; write e.g. "10.0.0.0/8", "fd00::/8" or "192.0.2.7")"));
}

TEST(ConfigValidation, AccessLogNeedsAPath) {
  json config = valid_config();
  config["access_log"] = json::object();
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(R"(access_log.path: missing required key: "-" for stdout or a file path)"));
  config["access_log"] = {{"path", ""}};
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(access_log.path: empty; use "-" for stdout or a file path, or remove access_log)"));
  config["access_log"] = {{"path", "-"}};
  auto ok = loaded(config);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->access_log.path, "-");
}

TEST(ConfigValidation, MetricsAreOnByDefaultAndTakeOnlyABooleanSwitch) {
  json config = valid_config();
  auto defaults = loaded(config);
  ASSERT_NE(defaults, nullptr);
  EXPECT_TRUE(defaults->metrics.enabled);
  config["metrics"] = {{"enabled", "no"}};
  EXPECT_THAT(errors_of(config),
              ElementsAre(R"(metrics.enabled: expected true or false, got string "no")"));
  config["metrics"] = {{"enable", false}};
  auto unknown = errors_of(config);
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_THAT(unknown[0], ::testing::StartsWith("metrics.enable: unknown key"));
  EXPECT_THAT(unknown[0], ::testing::HasSubstr("enabled"));
  config["metrics"] = {{"enabled", false}};
  auto off = loaded(config);
  ASSERT_NE(off, nullptr);
  EXPECT_FALSE(off->metrics.enabled);
}

TEST(ConfigValidation, AuditLogDefaultsNextToTheConfigAndNeedsANonEmptyPath) {
  json config = valid_config();
  auto defaults = loaded(config);
  ASSERT_NE(defaults, nullptr);
  EXPECT_EQ(defaults->audit_log.path, "/etc/ficus/ficus-audit.jsonl");
  config["audit_log"] = {{"path", "audit/trail.jsonl"}};
  auto relative = loaded(config);
  ASSERT_NE(relative, nullptr);
  EXPECT_EQ(relative->audit_log.path, "/etc/ficus/audit/trail.jsonl");
  config["audit_log"] = {{"path", "/var/log/ficus/audit.jsonl"}};
  EXPECT_EQ(loaded(config)->audit_log.path, "/var/log/ficus/audit.jsonl");
  config["audit_log"] = {{"path", ""}};
  EXPECT_THAT(errors_of(config),
              ElementsAre(R"(audit_log.path: empty; give a file path, or remove audit_log for )"
                          R"(the default "ficus-audit.jsonl" next to the config file)"));
  config["audit_log"] = json::object();
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(audit_log.path: missing required key: a file path, e.g. "ficus-audit.jsonl")"));
  config["audit_log"] = {{"path", "a.jsonl"}, {"fsync", false}};
  EXPECT_THAT(errors_of(config), ElementsAre(::testing::StartsWith("audit_log.fsync: ")));
}

// "migrate" belongs to `ficus migrate`; a route's "cutover" is tested in cutover_plan_test.cpp.
TEST(ConfigValidation, MigrateObjectIsAcceptedUnread) {
  json config = valid_config();
  config["migrate"] = {{"database", "postgres://x"}};
  EXPECT_THAT(errors_of(config), IsEmpty());

  config["migrate"] = 1;
  EXPECT_THAT(errors_of(config), ElementsAre("migrate: expected an object, got number 1"));
}

TEST(ConfigValidation, TextWithoutAFileNameLoadsAndItsErrorsHaveNoFilePrefix) {
  const std::string text = valid_config().dump();
  LoadResult ok = parse_config(text, "");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok.config->source_file.empty());

  LoadResult bad = parse_config(R"({"treads": 1})", "");
  ASSERT_FALSE(bad.errors.empty());
  EXPECT_EQ(bad.errors[0].to_string(), R"(treads: unknown key (did you mean "threads"?))");
}

TEST(ConfigValidation, DocumentMustBeAnObject) {
  EXPECT_THAT(errors_of(json::array()), ElementsAre(": expected an object, got an array"));
}

TEST(ConfigValidation, EveryErrorIsReportedInOneRun) {
  json config = valid_config();
  config["threads"] = 0;
  config["upstreams"]["legacy"]["connect_timeout_ms"] = "2s";
  config["routes"][0]["new"] = "orders-v3";
  config["routes"][1]["match"] = {{"path_prefx", "/"}};
  config["timeouts"] = {{"drain", 5}};
  EXPECT_THAT(
      errors_of(config),
      ElementsAre(
          R"(threads: must be between 1 and 256, got 0)",
          R"(upstreams.legacy.connect_timeout_ms: expected a whole number of milliseconds (e.g. 15000), got string "2s")",
          R"(routes[0].new: unknown upstream "orders-v3" (known: legacy, orders-v2))",
          R"(routes[1].match.path_prefx: unknown key (did you mean "path_prefix"?))",
          R"(timeouts.drain: unknown key (did you mean "drain_ms"?))"));
}

}  // namespace
}  // namespace ficus::config
