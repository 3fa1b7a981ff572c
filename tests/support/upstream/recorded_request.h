// RecordedRequest: one request as a TestUpstream received it, kept for assertions in proxy tests.
// Bodies are never stored, only their length and CRC-32, so a 1 GiB upload costs a few bytes.
//
//   auto seen = upstream.requests();
//   ASSERT_EQ(seen.size(), 1u);
//   EXPECT_EQ(seen[0].target, "/orders?id=7");
//   EXPECT_EQ(seen[0].header("x-user-id"), "alice");
//   EXPECT_EQ(seen[0].body_checksum, body_checksum(sent_body));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ficus::testing {

struct RecordedRequest {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // request-target as sent, e.g. "/echo?x=1"
  // Every header line in arrival order, names spelled as received.
  std::vector<std::pair<std::string, std::string>> headers;
  std::uint64_t body_bytes = 0;
  std::uint32_t body_checksum = 0;  // CRC-32 of the body bytes read; see body_checksum.h
  bool body_chunked = false;        // the body came with Transfer-Encoding: chunked
  bool body_complete = true;        // false when the connection failed before the body ended
  unsigned http_version = 11;       // 10 for HTTP/1.0, 11 for HTTP/1.1

  // Value of the first header named `name` (case-insensitive), or nullopt when absent.
  std::optional<std::string> header(std::string_view name) const;
  // Values of every header named `name` (case-insensitive), in arrival order.
  std::vector<std::string> header_values(std::string_view name) const;
};

}  // namespace ficus::testing
