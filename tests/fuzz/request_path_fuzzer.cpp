// libFuzzer target: the proxy's request path over an in-memory stream, without sockets. Bytes from
// a client go through exactly what DownstreamSession does before it connects upstream: the same
// parser type and limits reading the head, the request-target check, check_request_framing,
// RouteTable::match, the request attributes and TargetChooser::choose with a real flag set; then
// the body is read the way the relay reads it, and the next pipelined request follows.
//
// The first input byte sets how many bytes each read returns (1..256), so heads and bodies that
// arrive in pieces are covered too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include <boost/beast/_experimental/test/stream.hpp>

#include "config/config_loader.h"
#include "config/route_table.h"
#include "flags/flag_store.h"
#include "proxy/asio.h"
#include "proxy/forwarding_headers.h"
#include "proxy/request_attributes.h"
#include "proxy/target_chooser.h"

namespace {

namespace proxy = ficus::proxy;
namespace http = proxy::http;
namespace net = proxy::net;

constexpr std::string_view kFlags = R"({
  "flags": {
    "orders-cutover": {
      "state": "ENABLED", "variants": {"old": "old", "new": "new"}, "defaultVariant": "old",
      "targeting": {"if": [{"starts_with": [{"var": "headers.x-user-id"}, "staff-"]}, "new",
                           {"fractional": [["old", 50], ["new", 50]]}]}
    },
    "api-on": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
               "targeting": {"in": [{"var": "cookies.plan"}, ["pro", "team"]]}}
  }
})";

constexpr std::string_view kConfig = R"({
  "flags": {"sources": ["file:flags.json"]},
  "limits": {"max_header_bytes": 8192, "max_body_bytes": 65536},
  "upstreams": {"legacy": {"endpoints": ["127.0.0.1:9001"]},
                "modern": {"endpoints": ["127.0.0.1:9002"]}},
  "routes": [
    {"name": "orders", "match": {"host": "shop.example.com", "path_prefix": "/orders"},
     "old": "legacy", "new": "modern", "flag": "orders-cutover",
     "bucket_by": [{"header": "x-user-id"}, {"cookie": "uid"}, {"query": "user"}, "client_ip"],
     "override": {"header": "x-ficus-target"}, "pin_cookie": "ficus-pin"},
    {"name": "api", "match": {"path_prefix": "/api"}, "old": "legacy", "new": "modern",
     "flag": "api-on", "bucket_by": "random"},
    {"name": "default", "match": {"path_prefix": "/"}, "old": "legacy"}
  ]
})";

struct Fixture {
  std::shared_ptr<const ficus::config::RouteTable> routes;
  std::unique_ptr<ficus::flags::FlagStore> store;
  proxy::TargetChooser chooser;
};

Fixture make_fixture() {
  auto dir = std::filesystem::temp_directory_path() / "ficus-request-path-fuzzer";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "flags.json") << kFlags;
  auto loaded = ficus::config::parse_config(kConfig, dir / "ficus.json");
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) fprintf(stderr, "%s\n", e.to_string().c_str());
    abort();
  }
  Fixture f;
  f.routes = ficus::config::RouteTable::build(loaded.config);
  f.store = std::make_unique<ficus::flags::FlagStore>(
      loaded.config->flags.sources, ficus::flags::FlagStore::Options{.watch = false});
  if (!f.store->start().empty()) abort();
  f.chooser = proxy::TargetChooser(f.store.get(), nullptr);
  return f;
}

const Fixture& fixture() {
  static const Fixture f = make_fixture();
  return f;
}

// The head write_upstream_request_head() sends must parse back, strictly, with the framing the
// proxy read: otherwise the upstream would find a different body end (request smuggling).
void check_forwarded_head(const http::request_parser<http::buffer_body>& parser) {
  const auto& request = parser.get();
  std::string head;
  proxy::write_upstream_request_head(
      request, {.client_ip = "10.0.0.1", .original_host = request[http::field::host]}, head);
  http::request_parser<http::empty_body> upstream;
  upstream.header_limit(1024 * 1024);
  proxy::error_code ec;
  upstream.put(net::buffer(head), ec);
  if (ec || !upstream.is_header_done()) {
    fprintf(stderr, "forwarded head does not parse (%s):\n%s\n", ec.message().c_str(),
            head.c_str());
    abort();
  }
  if (upstream.chunked() != parser.chunked() ||
      upstream.content_length() != parser.content_length()) {
    fprintf(stderr, "forwarded head frames the body differently:\n%s\n", head.c_str());
    abort();
  }
}

// One request off the stream, as serve_one() handles it. False when the session would close.
bool serve_one(boost::beast::test::stream& stream, boost::beast::flat_buffer& buffer,
               std::uint64_t random) {
  const auto& f = fixture();
  const auto& config = f.routes->config();
  proxy::error_code ec;
  if (buffer.size() == 0) {  // wait_for_next_request: the first bytes of the next head
    auto n = stream.read_some(buffer.prepare(4096), ec);
    if (ec) return false;
    buffer.commit(n);
  }
  if (proxy::has_bare_line_feed({static_cast<const char*>(buffer.data().data()), buffer.size()})) {
    return false;
  }
  http::request_parser<http::buffer_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(config.limits.max_header_bytes));
  parser.body_limit(config.limits.max_body_bytes);
  http::read_header(stream, buffer, parser, ec);
  if (ec) return false;
  auto& request = parser.get();
  const std::string path(proxy::routing_path(request.target()));
  if (path.empty() || path.front() != '/') {
    if (!(request.method() == http::verb::options && request.target() == "*")) return false;
  }
  if (!proxy::check_request_framing(request).empty()) return false;
  const auto* route = f.routes->match(request[http::field::host], path);
  if (route != nullptr) {
    auto client_ip = proxy::effective_client_ip("10.0.0.1", request["X-Forwarded-For"],
                                                config.trusted_proxy_networks);
    proxy::RequestAttributes attributes(request, path, client_ip);
    (void)f.chooser.choose(0, *route, attributes, random);
  }
  check_forwarded_head(parser);
  // The body, as the relay reads it: through a fixed buffer until the parser is done.
  char piece[512];
  while (!parser.is_done()) {
    parser.get().body().data = piece;
    parser.get().body().size = sizeof piece;
    http::read(stream, buffer, parser, ec);
    if (ec == http::error::need_buffer) continue;
    if (ec) return false;
  }
  return request.keep_alive();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  net::io_context io;
  boost::beast::test::stream stream(io);
  stream.read_size(std::size_t{data[0]} + 1);
  stream.append(std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  stream.close_remote();
  boost::beast::flat_buffer buffer;
  for (std::uint64_t random = 1; serve_one(stream, buffer, random); ++random) {
  }
  return 0;
}
