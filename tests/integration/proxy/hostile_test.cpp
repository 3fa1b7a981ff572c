// The hostile HTTP/1.1 corpus (hostile_cases.cpp) through the real binary, one ctest entry per
// case. For each: the client gets exactly the answers the case names, the upstream receives exactly
// the well-framed requests it names and not one byte more, and a normal request succeeds after.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "tests/integration/proxy/hostile_cases.h"
#include "tests/integration/proxy/hostile_upstream.h"
#include "tests/integration/proxy/http_client.h"
#include "tests/integration/proxy/proxy_process.h"

namespace ficus::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct ClientReply {
  unsigned status = 0;
  std::string body;
};

// Blocking reads give up after `timeout` (Beast's stream timeouts apply to async calls only).
void set_receive_timeout(asio::ip::tcp::socket& socket, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

// Sends `bytes` on one connection and reads final (non-1xx) responses: up to `expected` within
// `timeout` each, then whatever else arrives within a short grace period (there should be
// nothing).
std::vector<ClientReply> send_and_read(std::uint16_t port, const std::string& bytes,
                                       std::size_t expected, std::chrono::milliseconds timeout) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  beast::error_code ec;
  socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  std::vector<ClientReply> replies;
  if (ec) return replies;
  set_receive_timeout(socket, timeout);
  asio::write(socket, asio::buffer(bytes), ec);  // the proxy may close before reading it all
  beast::flat_buffer buffer;
  for (;;) {
    if (replies.size() == expected) set_receive_timeout(socket, std::chrono::milliseconds(200));
    http::response_parser<http::string_body> parser;
    parser.body_limit(1024 * 1024);
    http::read(socket, buffer, parser, ec);
    if (ec) break;
    if (parser.get().result_int() / 100 == 1) continue;  // 100 Continue
    replies.push_back({parser.get().result_int(), parser.get().body()});
  }
  return replies;
}

// RFC 9112 framing of one message as it arrived upstream: HTTP/1.1, one Host, and exactly one way
// to find the body's end.
void expect_well_framed(const WireMessage& message, const std::string& case_name) {
  SCOPED_TRACE(case_name + ": upstream received\n" + message.bytes);
  EXPECT_EQ(message.version, 11u);
  EXPECT_EQ(message.count("host"), 1u);
  EXPECT_LE(message.count("content-length"), 1u);
  EXPECT_LE(message.count("transfer-encoding"), 1u);
  EXPECT_FALSE(message.count("content-length") == 1 && message.count("transfer-encoding") == 1);
  for (const auto& [name, value] : message.headers) {
    if (beast::iequals(name, "transfer-encoding")) {
      EXPECT_TRUE(beast::iequals(value, "chunked")) << value;
    }
  }
  const auto head_end = message.bytes.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  for (std::size_t i = 0; i < head_end; ++i) {
    if (message.bytes[i] == '\n') {
      EXPECT_EQ(message.bytes[i - 1], '\r') << "bare LF at " << i;
    }
    if (message.bytes[i] == '\r') {
      EXPECT_EQ(message.bytes[i + 1], '\n') << "bare CR at " << i;
    }
  }
}

class HostileInputTest : public ::testing::TestWithParam<HostileCase> {
 protected:
  void SetUp() override {
    upstream_ = std::make_unique<WireUpstream>();
    nlohmann::json config = {
        {"threads", 1},
        {"upstreams",
         {{"legacy", {{"endpoints", {upstream_->address()}}}},
          {"modern", {{"endpoints", {upstream_->address()}}}}}},
        {"routes", {{{"name", "all"}, {"match", {{"path_prefix", "/"}}}, {"old", "legacy"}}}},
        {"limits", {{"max_header_bytes", 8192}, {"max_body_bytes", 1024 * 1024}}},
        // Short, so that a case the proxy waits out ends quickly; far above a loopback exchange.
        {"timeouts",
         {{"header_read_ms", 2000}, {"body_idle_ms", 2000}, {"keepalive_idle_ms", 500}}},
    };
    proxy_ = std::make_unique<ProxyProcess>(config);
  }

  std::unique_ptr<WireUpstream> upstream_;
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_P(HostileInputTest, IsRejectedOrForwardedAsExactlyTheRequestsItHolds) {
  const HostileCase& c = GetParam();
  SCOPED_TRACE(c.name + " (" + c.why + ")");
  const std::size_t expected_replies = c.forwarded.size() + (c.rejected ? 1 : 0);
  auto replies = send_and_read(proxy_->port(), c.bytes, expected_replies, std::chrono::seconds(4));

  ASSERT_EQ(replies.size(), expected_replies) << "replies received";
  for (std::size_t i = 0; i < c.forwarded.size(); ++i) {
    EXPECT_EQ(replies[i].status, 200u) << "reply " << i;
    EXPECT_EQ(replies[i].body, "wire:" + c.forwarded[i].target) << "reply " << i << " in order";
  }
  if (c.rejected) {
    const unsigned status = replies.back().status;
    EXPECT_TRUE(status >= 400 && status < 500)
        << "rejection status " << status << ": " << replies.back().body;
  }

  // The upstream saw exactly the forwarded requests, nothing hidden in them, no stray bytes.
  const auto messages = upstream_->messages();
  ASSERT_EQ(messages.size(), c.forwarded.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(messages[i].target, c.forwarded[i].target);
    EXPECT_EQ(messages[i].body, c.forwarded[i].body);
    expect_well_framed(messages[i], c.name);
  }
  EXPECT_EQ(upstream_->stray_bytes(), "");

  // The proxy keeps serving, and the next request on the upstream side is exactly this one.
  auto after = http_get(proxy_->port(), "/after");
  EXPECT_EQ(after.status, 200u) << after.error;
  EXPECT_EQ(after.body, "wire:/after");
  ASSERT_TRUE(upstream_->wait_for_messages(c.forwarded.size() + 1, std::chrono::seconds(2)));
  const auto all = upstream_->messages();
  ASSERT_EQ(all.size(), c.forwarded.size() + 1);
  EXPECT_EQ(all.back().target, "/after");
  EXPECT_EQ(upstream_->stray_bytes(), "");
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostileInputTest, ::testing::ValuesIn(hostile_cases()),
                         [](const ::testing::TestParamInfo<HostileCase>& param) {
                           return param.param.name;
                         });

}  // namespace
}  // namespace ficus::testing
