// RouteTable::match: host precedence, longest prefix, segment boundaries, what is ignored.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "config/route_table.h"
#include "tests/unit/config/allocation_counter.h"

namespace ficus::config {
namespace {

struct RouteSpec {
  std::string name;
  std::string host;
  std::string path_prefix;
};

std::shared_ptr<const RouteTable> table_of(const std::vector<RouteSpec>& specs) {
  auto config = std::make_shared<ProxyConfig>();
  for (const RouteSpec& spec : specs) {
    RouteConfig route;
    route.name = spec.name;
    route.match.host = spec.host;
    route.match.path_prefix = spec.path_prefix;
    route.old_upstream = "legacy";
    config->routes.push_back(route);
  }
  return RouteTable::build(std::move(config));
}

// The matched route's name, or "(none)".
std::string matched(const RouteTable& table, std::string_view host, std::string_view path) {
  const RouteConfig* route = table.match(host, path);
  return route == nullptr ? "(none)" : route->name;
}

TEST(RouteTable, LongestPrefixWinsWhenTwoMatch) {
  auto table =
      table_of({{"all", "", "/"}, {"orders", "", "/orders"}, {"items", "", "/orders/items"}});
  EXPECT_EQ(matched(*table, "a.test", "/orders/items/3"), "items");
  EXPECT_EQ(matched(*table, "a.test", "/orders/3"), "orders");
  EXPECT_EQ(matched(*table, "a.test", "/users"), "all");
}

TEST(RouteTable, OrderInTheFileDoesNotMatter) {
  auto table =
      table_of({{"items", "", "/orders/items"}, {"all", "", "/"}, {"orders", "", "/orders"}});
  EXPECT_EQ(matched(*table, "a.test", "/orders/items"), "items");
  EXPECT_EQ(matched(*table, "a.test", "/orders"), "orders");
}

TEST(RouteTable, PrefixMatchStopsAtSegmentBoundary) {
  auto table = table_of({{"orders", "", "/orders"}});
  EXPECT_EQ(matched(*table, "a.test", "/orders"), "orders");
  EXPECT_EQ(matched(*table, "a.test", "/orders/1"), "orders");
  EXPECT_EQ(matched(*table, "a.test", "/orders/"), "orders");
  EXPECT_EQ(matched(*table, "a.test", "/ordersx"), "(none)");
  EXPECT_EQ(matched(*table, "a.test", "/order"), "(none)");
  EXPECT_EQ(matched(*table, "a.test", "/Orders"), "(none)");  // paths are case-sensitive
}

TEST(RouteTable, PrefixWithTrailingSlashMatchesBelowIt) {
  // Validation rejects it, but a hand-built config may carry one; it must not match "/ordersx".
  auto table = table_of({{"orders", "", "/orders/"}});
  EXPECT_EQ(matched(*table, "a.test", "/orders/1"), "orders");
  EXPECT_EQ(matched(*table, "a.test", "/ordersx"), "(none)");
}

TEST(RouteTable, QueryStringIsNotPartOfThePath) {
  auto table = table_of({{"orders", "", "/orders"}, {"all", "", "/"}});
  EXPECT_EQ(matched(*table, "a.test", "/orders?x=1"), "orders");
  EXPECT_EQ(matched(*table, "a.test", "/orders#top"), "orders");
  EXPECT_EQ(matched(*table, "a.test", "/ordersx?y=/orders"), "all");
}

TEST(RouteTable, RootPrefixMatchesEverything) {
  auto table = table_of({{"all", "", "/"}});
  EXPECT_EQ(matched(*table, "a.test", "/"), "all");
  EXPECT_EQ(matched(*table, "a.test", "/deep/path"), "all");
  EXPECT_EQ(matched(*table, "a.test", "*"), "all");  // OPTIONS * HTTP/1.1
  EXPECT_EQ(matched(*table, "", ""), "all");
}

TEST(RouteTable, NoMatchReturnsNull) {
  auto table = table_of({{"orders", "api.test", "/orders"}});
  EXPECT_EQ(table->match("api.test", "/users"), nullptr);
  EXPECT_EQ(table->match("web.test", "/orders"), nullptr);
}

TEST(RouteTable, ExactHostBeatsWildcardBeatsNoHost) {
  auto table = table_of({{"any", "", "/orders"},
                         {"wild", "*.example.com", "/orders"},
                         {"exact", "api.example.com", "/orders"}});
  EXPECT_EQ(matched(*table, "api.example.com", "/orders"), "exact");
  EXPECT_EQ(matched(*table, "web.example.com", "/orders"), "wild");
  EXPECT_EQ(matched(*table, "example.org", "/orders"), "any");
}

TEST(RouteTable, HostSpecificityBeatsPrefixLength) {
  auto table =
      table_of({{"any-long", "", "/orders/items"}, {"exact-root", "api.example.com", "/"}});
  EXPECT_EQ(matched(*table, "api.example.com", "/orders/items"), "exact-root");
}

TEST(RouteTable, LongerWildcardSuffixWins) {
  auto table = table_of({{"short", "*.example.com", "/"}, {"long", "*.eu.example.com", "/"}});
  EXPECT_EQ(matched(*table, "api.eu.example.com", "/"), "long");
  EXPECT_EQ(matched(*table, "api.us.example.com", "/"), "short");
}

TEST(RouteTable, WildcardNeedsAtLeastOneLabelBeforeTheSuffix) {
  auto table = table_of({{"wild", "*.example.com", "/"}});
  EXPECT_EQ(matched(*table, "example.com", "/"), "(none)");
  EXPECT_EQ(matched(*table, "badexample.com", "/"), "(none)");
  EXPECT_EQ(matched(*table, "a.b.example.com", "/"), "wild");
}

TEST(RouteTable, FallsBackToLessSpecificHostsWhenThePathMisses) {
  auto table = table_of({{"exact", "api.example.com", "/orders"},
                         {"wild", "*.example.com", "/users"},
                         {"any", "", "/"}});
  EXPECT_EQ(matched(*table, "api.example.com", "/users/1"), "wild");
  EXPECT_EQ(matched(*table, "api.example.com", "/health"), "any");
}

TEST(RouteTable, HostMatchIsCaseInsensitive) {
  auto table = table_of({{"exact", "Api.Example.com", "/"}, {"wild", "*.EXAMPLE.org", "/"}});
  EXPECT_EQ(matched(*table, "API.EXAMPLE.COM", "/"), "exact");
  EXPECT_EQ(matched(*table, "api.example.com", "/"), "exact");
  EXPECT_EQ(matched(*table, "Web.Example.Org", "/"), "wild");
}

TEST(RouteTable, PortAndTrailingDotAreStrippedFromHost) {
  auto table = table_of({{"exact", "api.example.com", "/"}, {"v6", "[::1]", "/"}});
  EXPECT_EQ(matched(*table, "api.example.com:8443", "/"), "exact");
  EXPECT_EQ(matched(*table, "api.example.com.", "/"), "exact");
  EXPECT_EQ(matched(*table, "api.example.com.:80", "/"), "exact");
  EXPECT_EQ(matched(*table, "[::1]:8080", "/"), "v6");
}

TEST(RouteTable, ExactHostLookupFindsEachOfManyHosts) {
  std::vector<RouteSpec> specs;
  for (int i = 0; i < 50; ++i) {
    specs.push_back({"r" + std::to_string(i), "h" + std::to_string(i) + ".test", "/"});
  }
  auto table = table_of(specs);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(matched(*table, "H" + std::to_string(i) + ".TEST", "/x"), "r" + std::to_string(i));
  }
  EXPECT_EQ(matched(*table, "h50.test", "/"), "(none)");
}

TEST(RouteTable, MatchReturnsTheRouteInsideItsConfig) {
  auto table = table_of({{"orders", "", "/orders"}, {"all", "", "/"}});
  const RouteConfig* route = table->match("a.test", "/orders");
  EXPECT_EQ(route, &table->config().routes[0]);
  EXPECT_EQ(table->config().routes.size(), 2u);
}

TEST(RouteTable, MatchDoesNotAllocate) {
  auto table =
      table_of({{"exact", "api.example.com", "/orders"},
                {"wild", "*.example.com", "/users"},
                {"any", "", "/"},
                {"long-host-name-beyond-small-string-buffers", "", "/a/very/long/prefix/x"}});
  const std::size_t before = ficus::testing::allocations_on_this_thread();
  const RouteConfig* hits[] = {
      table->match("API.EXAMPLE.COM:8443", "/orders/17?expand=items&x=1"),
      table->match("web.example.com", "/users/9"),
      table->match("other.test", "/a/very/long/prefix/x/y/z?query=string"),
      table->match("", ""),
  };
  const std::size_t after = ficus::testing::allocations_on_this_thread();
  EXPECT_EQ(after, before);
  // Guards the counter itself: building a table does allocate, so a counter stuck at 0 shows up.
  table_of({{"x", "", "/"}});
  EXPECT_GT(ficus::testing::allocations_on_this_thread(), after);
  for (const RouteConfig* hit : hits) EXPECT_NE(hit, nullptr);
}

}  // namespace
}  // namespace ficus::config
