// libFuzzer target: `ficus serve` configuration from arbitrary bytes, the way a reload reads an
// edited file: parse and validate (config_loader), and when it is valid, build the route table,
// match a few requests and print the redacted effective config, as GET /admin/config would.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config_loader.h"
#include "config/route_table.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = ficus::config::parse_config(text, "/fuzz/ficus.json");
  if (!loaded.ok()) {
    for (const auto& error : loaded.errors) (void)error.to_string();
    return 0;
  }
  auto routes = ficus::config::RouteTable::build(loaded.config);
  for (std::string_view host : {"", "x", "API.example.com:8443", "[::1]:80"}) {
    for (std::string_view path : {"/", "/orders/7", "/api", ""}) (void)routes->match(host, path);
  }
  (void)ficus::config::to_redacted_json(*loaded.config).dump();
  return 0;
}
