// WireUpstream: a loopback upstream for the hostile-input tests that keeps the exact bytes the
// proxy sent, cut into messages by a strict HTTP/1.1 parser. TestUpstream records requests after
// Beast has read them; here every byte on the wire is accounted for, so a request hidden inside
// another one shows up as an extra message, and bytes that are no request at all show up as stray
// bytes.
//
//   WireUpstream upstream;                       // 127.0.0.1, port picked by the kernel
//   config["upstreams"]["legacy"]["endpoints"] = {upstream.address()};
//   ... send hostile bytes through the proxy ...
//   EXPECT_EQ(upstream.messages().size(), 1u);
//   EXPECT_EQ(upstream.messages()[0].body, "hello");
//   EXPECT_EQ(upstream.stray_bytes(), "");
//
// Every complete message is answered at once with 200 and the body "wire:<target>".
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ficus::testing {

struct WireMessage {
  std::string bytes;  // exactly as received: request line, head, body framing included
  std::string method;
  std::string target;
  unsigned version = 11;
  std::vector<std::pair<std::string, std::string>> headers;  // as parsed, in wire order
  std::string body;                                          // decoded (chunks joined)
  std::size_t count(std::string_view lower_name) const;
};

class WireUpstream {
 public:
  WireUpstream();  // binds and starts serving
  ~WireUpstream();
  WireUpstream(const WireUpstream&) = delete;
  WireUpstream& operator=(const WireUpstream&) = delete;

  std::string address() const;  // "127.0.0.1:PORT"

  // Complete messages received so far, in arrival order (across connections).
  std::vector<WireMessage> messages() const;
  // Bytes that did not parse as an HTTP/1.1 request (the connection was closed after them), and
  // bytes of a message the proxy began but never finished (it closed the connection mid-message).
  std::string stray_bytes() const;
  std::string unfinished_bytes() const;
  bool wait_for_messages(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ficus::testing
