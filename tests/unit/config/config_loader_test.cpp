// Loading from real files: the shipped example, comments, relative paths, syntax errors.
#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "config/config_loader.h"
#include "tests/support/db/temp_dir.h"

namespace ficus::config {
namespace {

namespace fs = std::filesystem;
using ficus::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::string_view kMinimal = R"({
  "upstreams": {"legacy": {"endpoints": ["127.0.0.1:9001"]}},
  "routes": [{"name": "default", "old": "legacy"}]
})";

TEST(ConfigLoader, ShippedExampleLoads) {
  const fs::path examples = FICUS_EXAMPLES_DIR;
  LoadResult loaded = load_config_file(examples / "ficus.json");
  for (const ConfigError& error : loaded.errors) ADD_FAILURE() << error.to_string();
  ASSERT_TRUE(loaded.ok());
  const ProxyConfig& config = *loaded.config;

  EXPECT_EQ(config.listen, (HostPort{"127.0.0.1", 8080}));
  EXPECT_EQ(config.admin.listen, (HostPort{"127.0.0.1", 9901}));
  EXPECT_EQ(config.threads, 2u);
  const fs::path flags_file = fs::absolute(examples / "flags.json").lexically_normal();
  EXPECT_TRUE(fs::exists(flags_file));
  EXPECT_THAT(config.flags.sources, ElementsAre("file:" + flags_file.string()));
  ASSERT_EQ(config.upstreams.size(), 2u);
  EXPECT_EQ(config.upstreams[0].name, "legacy");
  EXPECT_EQ(config.upstreams[1].endpoints, (std::vector<HostPort>{{"127.0.0.1", 9002}}));
  ASSERT_EQ(config.routes.size(), 2u);
  const RouteConfig& orders = config.routes[0];
  EXPECT_EQ(orders.name, "orders");
  EXPECT_EQ(orders.match.path_prefix, "/orders");
  EXPECT_EQ(orders.old_upstream, "legacy");
  EXPECT_EQ(orders.new_upstream, "orders-v2");
  EXPECT_EQ(orders.flag, "orders-cutover");
  EXPECT_THAT(orders.bucket_by, ElementsAre(BucketSource{BucketSource::Kind::header, "x-user-id"}));
  EXPECT_EQ(orders.timeout, Millis(15'000));
  EXPECT_EQ(config.routes[1].name, "default");
  EXPECT_EQ(config.source_file, fs::absolute(examples / "ficus.json").lexically_normal());
}

// The flags library owns flag parsing; this only pins what the example promises.
TEST(ConfigLoader, ShippedFlagsExampleSplitsOrdersNinetyTen) {
  std::ifstream in(fs::path(FICUS_EXAMPLES_DIR) / "flags.json");
  const auto flags = nlohmann::json::parse(in);
  const auto& flag = flags.at("flags").at("orders-cutover");
  EXPECT_EQ(flag.at("state"), "ENABLED");
  EXPECT_EQ(flag.at("variants"), nlohmann::json({{"old", "old"}, {"new", "new"}}));
  EXPECT_EQ(flag.at("defaultVariant"), "old");
  EXPECT_EQ(flag.at("targeting"),
            nlohmann::json::parse(R"({"fractional": [["old", 90], ["new", 10]]})"));
}

TEST(ConfigLoader, LineAndBlockCommentsAreAllowed) {
  TempDir dir;
  const auto file = dir.write("ficus.json", R"({
  // the proxy's own address
  "listen": "127.0.0.1:8081",
  /* upstreams:
     one for now */
  "upstreams": {"legacy": {"endpoints": ["127.0.0.1:9001"]}},
  "routes": [{"name": "default", "old": "legacy"}]  // catch-all
})");
  LoadResult loaded = load_config_file(file);
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().to_string();
  EXPECT_EQ(loaded.config->listen.port, 8081);
}

TEST(ConfigLoader, RelativePathsResolveAgainstTheConfigFolder) {
  TempDir dir;
  const auto file = dir.write("conf/ficus.json", R"({
  "flags": {"sources": ["file:flags/a.json", "file:../shared/b.json", "file:/srv/c.json"]},
  "access_log": {"path": "logs/access.log"},
  "upstreams": {"legacy": {"endpoints": ["127.0.0.1:9001"]}},
  "routes": [{"name": "default", "old": "legacy"}]
})");
  LoadResult loaded = load_config_file(file);
  ASSERT_TRUE(loaded.ok()) << loaded.errors.front().to_string();
  const fs::path conf = fs::path(dir.path()) / "conf";
  EXPECT_THAT(
      loaded.config->flags.sources,
      ElementsAre("file:" + (conf / "flags/a.json").string(),
                  "file:" + (fs::path(dir.path()) / "shared/b.json").string(), "file:/srv/c.json"));
  EXPECT_EQ(loaded.config->access_log.path, (conf / "logs/access.log").string());
  EXPECT_EQ(loaded.config->source_file, conf / "ficus.json");
}

TEST(ConfigLoader, RelativeConfigPathIsStoredAbsolute) {
  LoadResult loaded = parse_config(kMinimal, "conf/ficus.json");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.config->source_file, fs::current_path() / "conf/ficus.json");
}

TEST(ConfigLoader, SyntaxErrorNamesFileLineAndColumn) {
  TempDir dir;
  const auto file =
      dir.write("ficus.json",
                "{\n  \"listen\": \"127.0.0.1:8080\",\n  \"threads\": 2\n  \"routes\": []\n}\n");
  LoadResult loaded = load_config_file(file);
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.errors.size(), 1u);
  const ConfigError& error = loaded.errors[0];
  // Where the parser noticed: the last character of the unexpected "routes" token.
  EXPECT_EQ(error.line, 4u);
  EXPECT_EQ(error.column, 10u);
  EXPECT_THAT(error.to_string(), StartsWith(file + ":4:10: invalid JSON: "));
  EXPECT_THAT(error.message, HasSubstr("unexpected string literal"));
}

// Found by tests/fuzz (config): nlohmann reports this as out_of_range, not parse_error.
TEST(ConfigLoader, NumberTooLargeForADoubleIsAnErrorNotACrash) {
  LoadResult loaded = parse_config("{\"threads\": 4444E44444}", "/etc/ficus/ficus.json");
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_THAT(loaded.errors[0].message, HasSubstr("number overflow"));
}

TEST(ConfigLoader, TrailingCommaErrorSaysTrailingCommasAreNotAllowed) {
  LoadResult loaded = parse_config("{\n  \"threads\": 2,\n}\n", "/etc/ficus/ficus.json");
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].line, 3u);
  EXPECT_EQ(loaded.errors[0].column, 1u);
  EXPECT_THAT(loaded.errors[0].message,
              HasSubstr("(comments are allowed, trailing commas are not)"));
}

TEST(ConfigLoader, TruncatedFileReportsTheEnd) {
  LoadResult loaded = parse_config("{\n  \"threads\": 2", "/etc/ficus/ficus.json");
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].line, 2u);
  EXPECT_THAT(loaded.errors[0].message, HasSubstr("unexpected end of input"));
}

TEST(ConfigLoader, DuplicateKeyIsAnErrorAtItsPath) {
  LoadResult loaded = parse_config(R"({
  "upstreams": {"legacy": {"endpoints": ["127.0.0.1:9001"]}},
  "routes": [{"name": "a", "old": "legacy"},
             {"name": "b", "old": "legacy", "timeout_ms": 100, "timeout_ms": 200}]
})",
                                   "/etc/ficus/ficus.json");
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].to_string(),
            "/etc/ficus/ficus.json: routes[1].timeout_ms: duplicate key; JSON keeps only the last "
            "one, so remove or merge the others");
}

TEST(ConfigLoader, MissingFileIsOneErrorNamingIt) {
  TempDir dir;
  LoadResult loaded = load_config_file(fs::path(dir.path()) / "nope.json");
  ASSERT_FALSE(loaded.ok());
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].to_string(),
            (fs::path(dir.path()) / "nope.json").string() +
                ": cannot read the config file: No such file or directory; check the path (a "
                "relative path starts from the working directory)");
}

TEST(ConfigLoader, FolderInsteadOfFileIsAnError) {
  TempDir dir;
  LoadResult loaded = load_config_file(dir.path());
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_THAT(loaded.errors[0].message, StartsWith("cannot read the config file: it is a folder"));
}

TEST(ConfigLoader, ValidationErrorsNameTheFile) {
  TempDir dir;
  const auto file = dir.write("ficus.json", R"({"treads": 2,
  "upstreams": {"legacy": {"endpoints": ["127.0.0.1:9001"]}},
  "routes": [{"name": "default", "old": "legacy"}]})");
  LoadResult loaded = load_config_file(file);
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].to_string(),
            file + R"(: treads: unknown key (did you mean "threads"?))");
  EXPECT_EQ(loaded.config, nullptr);
}

}  // namespace
}  // namespace ficus::config
