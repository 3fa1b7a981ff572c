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

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>
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

// What may stay buffered, unparsed, while a body moves: only an incomplete chunk-size line (with
// its extensions) or trailer section is left after a parse. Beast sets no limit on either, so
// without this a peer could make the buffer grow without end; a longer one fails the message with
// http::error::buffer_overflow (400 from a client, 502 from an upstream).
inline constexpr std::size_t kMaxPendingFramingBytes = 128 * 1024;

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

// Sends as much of `buffers` as the socket takes right now, without blocking, and returns how many
// bytes that was (0 with `ec` clear when the socket would block). A small message nearly always
// goes out whole this way, and then needs neither a timer nor a trip through the event loop, which
// an async_write costs even when it completes at once (bench/RESULTS.md). nginx writes the same
// way.
template <class ConstBufferSequence>
std::size_t send_now(tcp::socket& socket, const ConstBufferSequence& buffers, error_code& ec) {
  std::array<iovec, 16> iov{};
  std::size_t count = 0;
  for (auto it = net::buffer_sequence_begin(buffers);
       it != net::buffer_sequence_end(buffers) && count < iov.size(); ++it) {
    net::const_buffer piece(*it);
    if (piece.size() == 0) continue;
    iov[count++] = {const_cast<void*>(piece.data()), piece.size()};
  }
  if (count == 0) return 0;
  msghdr message{};
  message.msg_iov = iov.data();
  message.msg_iovlen = count;
  ssize_t sent = ::sendmsg(socket.native_handle(), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent >= 0) return static_cast<std::size_t>(sent);
  if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    ec = error_code(errno, net::error::get_system_category());
  }
  return 0;
}

// Writes what send_now() left of `buffers` (the first `sent` bytes are gone), asynchronously with
// `idle_timeout`.
template <class Stream>
net::awaitable<error_code> write_rest(Stream& to, std::span<const net::const_buffer> buffers,
                                      std::size_t sent, std::chrono::milliseconds idle_timeout) {
  beast::buffers_suffix<std::span<const net::const_buffer>> rest(buffers);
  rest.consume(sent);
  to.expires_after(idle_timeout);
  auto [ec, n] = co_await net::async_write(to, rest, use_nothrow);
  co_return ec;
}

// Reads a message head into `parser`: parses what `buffer` already holds, then reads more until
// the head is complete, all of it within `timeout` from the first read (a client sending its head
// a byte at a time is still cut at the timeout). What http::async_read_header does, minus its
// composed-operation layers, which cost more than the parse on the request path (bench/RESULTS.md).
// Errors are Beast's: end_of_stream when the peer closed before sending anything, header_limit,
// parse errors, beast::error::timeout.
template <bool isRequest, class Body, class Stream>
net::awaitable<error_code> read_head(Stream& stream, beast::flat_buffer& buffer,
                                     http::parser<isRequest, Body>& parser,
                                     std::chrono::milliseconds timeout) {
  bool deadline_set = false;
  for (;;) {
    if (buffer.size() > 0) {
      error_code ec;
      buffer.consume(parser.put(buffer.data(), ec));
      if (ec != http::error::need_more) {
        if (ec || parser.is_header_done()) co_return ec;
      }
    }
    if (!deadline_set) {
      stream.expires_after(timeout);
      deadline_set = true;
    }
    auto [ec, n] = co_await stream.async_read_some(
        buffer.prepare(beast::read_size(buffer, kRelayReadBytes)), use_nothrow);
    if (ec == net::error::eof) {
      if (!parser.got_some()) co_return http::error::end_of_stream;
      parser.put_eof(ec);
      co_return ec ? ec : http::error::partial_message;
    }
    if (ec) co_return ec;
    buffer.commit(n);
  }
}

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
      // A view, so the write operation does not copy the vector (and GCC 12 does not warn).
      const std::span<const net::const_buffer> pending(out.data(), out.size());
      error_code ec;
      const std::size_t sent = send_now(beast::get_lowest_layer(to).socket(), pending, ec);
      if (!ec && sent < net::buffer_size(pending)) {
        ec = co_await write_rest(to, pending, sent, idle_timeout);
      }
      if (ec) {
        result.ec = ec;
        co_return result;
      }
      result.head_sent = true;
    }
    from_buffer.consume(consumed);
    if (done) co_return result;
    if (from_buffer.size() > kMaxPendingFramingBytes) {
      result.ec = http::error::buffer_overflow;
      result.failed_reading = true;
      co_return result;
    }

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
