// relay_message: sends a message head and streams its body from a parser's stream to another one.
//
// The body is never copied in user space: bytes are read into the source's flat_buffer, a Beast
// parser with SpanBody finds where the body pieces lie in that buffer (and checks the framing and
// the body limit), and those pieces go out from the same buffer in one gather write. The head text
// goes out in the same write as the body bytes that arrived with it, so a small response is one
// sendmsg, not two. Content-Length bodies pass through as they are; chunked output is re-chunked at
// read boundaries (extensions and trailers are dropped, as a re-chunking proxy does).
//
// Memory is bounded by the source buffer: it grows to the head plus kRelayReadBytes, whatever the
// body's size.
#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <span>
#include <string_view>

#include <boost/container/small_vector.hpp>

#include "proxy/asio.h"

namespace ficus::proxy {

// How much one read asks for while a body moves. Measured with a 1 GiB download on loopback
// (bench/RESULTS.md): larger reads mean fewer syscalls, and the buffer exists only per connection
// that is moving a body.
inline constexpr std::size_t kRelayReadBytes = 64 * 1024;

// A Beast body type that stores nothing: put() records where each body piece lies in the buffer
// the parser was given. The pieces are valid until that buffer is consumed.
struct SpanBody {
  struct value_type {
    boost::container::small_vector<net::const_buffer, 4> pieces;
    std::size_t size = 0;  // total bytes in `pieces`
    void clear() {
      pieces.clear();
      size = 0;
    }
  };

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(http::header<isRequest, Fields>&, value_type& body) : body_(body) {}
    void init(const boost::optional<std::uint64_t>&, error_code& ec) { ec = {}; }
    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, error_code& ec) {
      ec = {};
      std::size_t n = 0;
      for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers);
           ++it) {
        net::const_buffer piece(*it);
        body_.pieces.push_back(piece);
        n += piece.size();
      }
      body_.size += n;
      return n;
    }
    void finish(error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

// How the body goes out: its bytes as they are (Content-Length, or close-delimited), or as HTTP/1.1
// chunks.
enum class BodyOutput { plain, chunked };

struct RelayResult {
  error_code ec;
  bool failed_reading = false;  // true: the source failed; false: the destination did
  bool head_sent = false;       // the head went out (the peer has seen a response begin)
  std::uint64_t bytes = 0;      // body bytes relayed
};

// Writes `head` (complete head text, blank line included) to `to`, then relays the body `parser`
// frames from `from` (the parser has read the head, with `from_buffer` holding what followed it).
template <bool isRequest, class Stream>
net::awaitable<RelayResult> relay_message(Stream& from, beast::flat_buffer& from_buffer,
                                          http::parser<isRequest, SpanBody>& parser, Stream& to,
                                          std::string_view head, BodyOutput output,
                                          std::chrono::milliseconds idle_timeout) {
  RelayResult result;
  auto& body = parser.get().body();
  // One put() takes everything buffered, not one chunk at a time.
  parser.eager(true);
  static constexpr std::string_view kCrlf = "\r\n";
  static constexpr std::string_view kLastChunk = "0\r\n\r\n";
  char chunk_size[24];
  const bool has_body = !parser.is_done();
  for (;;) {
    // Frame what is buffered. need_more: only part of a chunk header is here yet.
    std::size_t consumed = 0;
    body.clear();
    if (!parser.is_done() && from_buffer.size() > 0) {
      error_code ec;
      consumed = parser.put(from_buffer.data(), ec);
      if (ec == http::error::need_more) ec = {};
      if (ec) {
        result.ec = ec;
        result.failed_reading = true;
        co_return result;
      }
    }

    boost::container::small_vector<net::const_buffer, 8> out;
    if (!result.head_sent) out.emplace_back(head.data(), head.size());
    if (body.size > 0) {
      if (output == BodyOutput::chunked) {
        auto [end, ignored] =
            std::to_chars(chunk_size, chunk_size + sizeof chunk_size - 2, body.size, 16);
        *end++ = '\r';
        *end++ = '\n';
        out.emplace_back(chunk_size, static_cast<std::size_t>(end - chunk_size));
      }
      out.insert(out.end(), body.pieces.begin(), body.pieces.end());
      if (output == BodyOutput::chunked) out.emplace_back(kCrlf.data(), kCrlf.size());
      result.bytes += body.size;
    }
    const bool done = parser.is_done();
    if (done && has_body && output == BodyOutput::chunked) {
      out.emplace_back(kLastChunk.data(), kLastChunk.size());
    }
    if (!out.empty()) {
      to.expires_after(idle_timeout);
      // A view, so the write operation does not copy the vector (and GCC 12 does not warn).
      const std::span<const net::const_buffer> pending(out.data(), out.size());
      auto [ec, n] = co_await net::async_write(to, pending, use_nothrow);
      if (ec) {
        result.ec = ec;
        co_return result;
      }
      result.head_sent = true;
    }
    from_buffer.consume(consumed);
    if (done) co_return result;

    from.expires_after(idle_timeout);
    auto [ec, n] = co_await from.async_read_some(from_buffer.prepare(kRelayReadBytes), use_nothrow);
    if (ec == net::error::eof) {
      // The end of a close-delimited body; anywhere else, a message cut short.
      parser.put_eof(ec);
    }
    if (ec) {
      result.ec = ec;
      result.failed_reading = true;
      co_return result;
    }
    from_buffer.commit(n);
  }
}

}  // namespace ficus::proxy
