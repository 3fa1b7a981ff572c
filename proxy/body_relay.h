// relay_body: streams one message body from a parser to a serializer through a fixed buffer.
//
// Shape of Beast's "relay" example, made asynchronous and read_some-based so bytes flow as they
// arrive (a slow or streaming body is not held back until a buffer fills). The caller has already
// written the head with async_write_header. Chunked input stays chunked on output (re-chunked at
// buffer boundaries); Content-Length bodies pass through as they are.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "proxy/asio.h"

namespace ficus::proxy {

inline constexpr std::size_t kRelayChunkBytes = 32 * 1024;

struct RelayResult {
  error_code ec;
  bool failed_reading = false;  // true: the source failed; false: the destination did
  std::uint64_t bytes = 0;      // body bytes relayed
};

template <bool isRequest>
net::awaitable<RelayResult> relay_body(beast::tcp_stream& from, beast::flat_buffer& from_buffer,
                                       http::parser<isRequest, http::buffer_body>& parser,
                                       beast::tcp_stream& to,
                                       http::serializer<isRequest, http::buffer_body>& serializer,
                                       std::chrono::milliseconds idle_timeout) {
  // Lives in the coroutine frame only while a body is moving, not per idle connection.
  std::array<char, kRelayChunkBytes> chunk;
  // A flat_buffer reads only as much as its free capacity, which is 512 bytes after the head was
  // consumed: without this, a 1 GiB body takes two million syscalls instead of thirty thousand.
  from_buffer.reserve(kRelayChunkBytes);
  RelayResult result;
  auto& body = parser.get().body();
  while (!serializer.is_done()) {
    if (!parser.is_done()) {
      body.data = chunk.data();
      body.size = chunk.size();
      from.expires_after(idle_timeout);
      auto [ec, ignored] = co_await http::async_read_some(from, from_buffer, parser, use_nothrow);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        result.ec = ec;
        result.failed_reading = true;
        co_return result;
      }
      std::size_t got = chunk.size() - body.size;
      if (got == 0 && !parser.is_done()) continue;  // only framing (a chunk header) was read
      body.data = chunk.data();
      body.size = got;
      body.more = !parser.is_done();
      result.bytes += got;
    } else {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    }
    to.expires_after(idle_timeout);
    auto [ec, ignored] = co_await http::async_write(to, serializer, use_nothrow);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      result.ec = ec;
      co_return result;
    }
  }
  co_return result;
}

}  // namespace ficus::proxy
