// relay_now / relay_rest: send a message head and stream its body from a parser's socket to
// another one. relay_now() does what can be done without waiting (a small message is finished
// there, with no coroutine frame); relay_rest() waits for the rest.
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
#include <optional>
#include <span>
#include <string_view>

#include <boost/container/small_vector.hpp>

#include "proxy/asio.h"
#include "proxy/timed_socket.h"

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
std::size_t send_now(Socket& socket, const ConstBufferSequence& buffers, error_code& ec) {
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

// Parses as much of a message head as `buffer` holds into `parser`, consuming it. Returns the
// result once the head is complete or failed; nullopt when more bytes are needed. The common case
// (a whole head arrived in one read) needs nothing else, and no coroutine frame.
template <bool isRequest, class Body>
std::optional<error_code> parse_buffered_head(beast::flat_buffer& buffer,
                                              http::parser<isRequest, Body>& parser) {
  if (buffer.size() == 0) return std::nullopt;
  error_code ec;
  buffer.consume(parser.put(buffer.data(), ec));
  if (ec == http::error::need_more) return std::nullopt;
  if (ec || parser.is_header_done()) return ec;
  return std::nullopt;
}

// The error for a peer that closed while its head was expected: end_of_stream when it sent nothing
// (a keep-alive connection closed between messages), else the parser's verdict on what came.
template <bool isRequest, class Body>
error_code head_cut_short(http::parser<isRequest, Body>& parser) {
  if (!parser.got_some()) return http::error::end_of_stream;
  error_code ec;
  parser.put_eof(ec);
  return ec ? ec : http::error::partial_message;
}

// Reads a message head into `parser`: parses what `buffer` already holds, then reads more until
// the head is complete, all of it within `timeout` from the first read (a client sending its head
// a byte at a time is still cut at the timeout). What http::async_read_header does, minus its
// composed-operation layers, which cost more than the parse on the request path (bench/RESULTS.md).
// Errors are Beast's: end_of_stream when the peer closed before sending anything, header_limit,
// parse errors, beast::error::timeout.
template <bool isRequest, class Body>
net::awaitable<error_code> read_head(TimedSocket& stream, beast::flat_buffer& buffer,
                                     http::parser<isRequest, Body>& parser,
                                     std::chrono::milliseconds timeout) {
  if (auto done = parse_buffered_head(buffer, parser)) co_return *done;
  stream.expires_after(timeout);
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(
        buffer.prepare(beast::read_size(buffer, kRelayReadBytes)), use_nothrow);
    if (ec == net::error::eof) co_return head_cut_short(parser);
    if (ec) co_return ec;
    buffer.commit(n);
    if (auto done = parse_buffered_head(buffer, parser)) co_return *done;
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

// One message on its way: what relay_now() framed and has not finished sending, and the totals.
// The caller keeps it (it holds the pieces being written) from relay_now() to relay_rest().
struct Relay {
  RelayResult result;
  BodyOutput output = BodyOutput::plain;
  bool has_body = false;
  // The pass in progress: pieces framed from the source buffer, how many of their bytes went out,
  // how many buffered bytes they span, and whether the message ends with them.
  boost::container::small_vector<net::const_buffer, 8> out;
  std::size_t out_bytes = 0;
  std::size_t out_sent = 0;
  std::size_t consumed = 0;
  bool ends = false;
  char chunk_size[24];
};

namespace relay_detail {

inline constexpr std::string_view kCrlf = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// Frames what `from_buffer` holds into relay.out (the head first, if it has not gone out yet).
// False when the source's bytes are not valid for the message (relay.result says why).
template <bool isRequest>
bool frame_buffered(beast::flat_buffer& from_buffer, http::parser<isRequest, SpanBody>& parser,
                    std::string_view head, Relay& relay) {
  auto& body = parser.get().body();
  relay.out.clear();
  relay.out_sent = 0;
  relay.consumed = 0;
  body.clear();
  if (!parser.is_done() && from_buffer.size() > 0) {
    error_code ec;
    relay.consumed = parser.put(from_buffer.data(), ec);
    if (ec == http::error::need_more) ec = {};  // only part of a chunk header is here yet
    if (ec) {
      relay.result.ec = ec;
      relay.result.failed_reading = true;
      return false;
    }
  }
  if (!relay.result.head_sent) relay.out.emplace_back(head.data(), head.size());
  const bool chunked = relay.output == BodyOutput::chunked;
  if (body.size > 0) {
    if (chunked) {
      char* begin = relay.chunk_size;
      auto [end, ignored] =
          std::to_chars(begin, begin + sizeof relay.chunk_size - 2, body.size, 16);
      *end++ = '\r';
      *end++ = '\n';
      relay.out.emplace_back(begin, static_cast<std::size_t>(end - begin));
    }
    relay.out.insert(relay.out.end(), body.pieces.begin(), body.pieces.end());
    if (chunked) relay.out.emplace_back(kCrlf.data(), kCrlf.size());
    relay.result.bytes += body.size;
  }
  relay.ends = parser.is_done();
  if (relay.ends && relay.has_body && chunked) {
    relay.out.emplace_back(kLastChunk.data(), kLastChunk.size());
  }
  relay.out_bytes = net::buffer_size(relay.out);
  return true;
}

// After the pass went out whole: gives its bytes back to the source buffer. True when the message
// is finished (done, or failed: relay.result says which).
inline bool finish_pass(beast::flat_buffer& from_buffer, Relay& relay) {
  if (relay.out_bytes > 0) relay.result.head_sent = true;
  from_buffer.consume(relay.consumed);
  relay.consumed = 0;
  relay.out.clear();
  relay.out_bytes = relay.out_sent = 0;
  if (relay.ends) return true;
  if (from_buffer.size() > kMaxPendingFramingBytes) {
    relay.result.ec = http::error::buffer_overflow;
    relay.result.failed_reading = true;
    return true;
  }
  return false;
}

// One pass: frames what `from_buffer` holds and sends it without waiting. True when the message is
// finished (relay.result says how); false when relay_rest() must wait, to write what the socket did
// not take (relay.out_sent < relay.out_bytes) or to read more.
template <bool isRequest>
bool send_buffered(beast::flat_buffer& from_buffer, http::parser<isRequest, SpanBody>& parser,
                   TimedSocket& to, std::string_view head, Relay& relay) {
  if (!frame_buffered(from_buffer, parser, head, relay)) return true;
  if (relay.out_bytes > 0) {
    error_code ec;
    relay.out_sent = send_now(to.socket(), relay.out, ec);
    if (ec) {
      relay.result.ec = ec;
      return true;
    }
    if (relay.out_sent < relay.out_bytes) return false;  // the socket is full
  }
  return finish_pass(from_buffer, relay);
}

}  // namespace relay_detail

// Starts relaying a message: sends `head` (complete head text, blank line included) and the body
// bytes already in `from_buffer`, framed by `parser` (which has read the head), without waiting.
// True when the message is finished: sent whole, or failed (relay.result). A small message, one
// whose body arrived with its head, is finished here, with no coroutine frame and no trip through
// the event loop. False: call relay_rest() with the same arguments.
template <bool isRequest>
bool relay_now(beast::flat_buffer& from_buffer, http::parser<isRequest, SpanBody>& parser,
               TimedSocket& to, std::string_view head, BodyOutput output, Relay& relay) {
  relay.result = RelayResult{};
  relay.output = output;
  relay.has_body = !parser.is_done();
  parser.eager(true);  // one put() takes everything buffered, not one chunk at a time
  return relay_detail::send_buffered(from_buffer, parser, to, head, relay);
}

// Relays the rest of a message relay_now() started: what the destination did not take yet, then
// the body as it arrives from `from`, each read and write within `idle_timeout`.
template <bool isRequest>
net::awaitable<RelayResult> relay_rest(TimedSocket& from, beast::flat_buffer& from_buffer,
                                       http::parser<isRequest, SpanBody>& parser, TimedSocket& to,
                                       std::string_view head,
                                       std::chrono::milliseconds idle_timeout, Relay& relay) {
  for (;;) {
    if (relay.out_sent < relay.out_bytes) {
      // A view, so the write operation does not copy the vector (and GCC 12 does not warn).
      const std::span<const net::const_buffer> pending(relay.out.data(), relay.out.size());
      auto ec = co_await write_rest(to, pending, relay.out_sent, idle_timeout);
      if (ec) {
        relay.result.ec = ec;
        co_return relay.result;
      }
      if (relay_detail::finish_pass(from_buffer, relay)) co_return relay.result;
    }

    from.expires_after(idle_timeout);
    auto [ec, n] = co_await from.async_read_some(from_buffer.prepare(kRelayReadBytes), use_nothrow);
    if (ec == net::error::eof) {
      // The end of a close-delimited body; anywhere else, a message cut short.
      parser.put_eof(ec);
    }
    if (ec) {
      relay.result.ec = ec;
      relay.result.failed_reading = true;
      co_return relay.result;
    }
    from_buffer.commit(n);
    if (relay_detail::send_buffered(from_buffer, parser, to, head, relay)) co_return relay.result;
  }
}

}  // namespace ficus::proxy
