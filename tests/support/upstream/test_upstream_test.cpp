// Checks every scripted behaviour of TestUpstream with a plain Beast client over loopback.
#include "tests/support/upstream/test_upstream.h"

#include <poll.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace ficus::testing {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One client connection. Sync calls: the upstream runs on its own threads.
class Client {
 public:
  explicit Client(std::uint16_t port) : socket_(context_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }

  http::response<http::string_body> get(const std::string& target) {
    http::request<http::string_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "upstream.test");
    return exchange(req);
  }

  http::response<http::string_body> exchange(http::request<http::string_body>& req) {
    req.prepare_payload();
    http::write(socket_, req);
    return read();
  }

  http::response<http::string_body> read() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    http::read(socket_, buffer_, parser);
    return parser.release();
  }

  void write_raw(std::string_view bytes) { asio::write(socket_, asio::buffer(bytes)); }

  // Everything the server sends until it closes, and how the stream ended.
  std::string read_until_closed(boost::system::error_code& ended) {
    std::string out(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.consume(buffer_.size());
    char piece[4096];
    for (;;) {
      const std::size_t n = socket_.read_some(asio::buffer(piece), ended);
      out.append(piece, n);
      if (ended) return out;
    }
  }

  // True when the server sent nothing (and did not close) within `wait`.
  bool silent_for(milliseconds wait) {
    pollfd fd{socket_.native_handle(), POLLIN, 0};
    return ::poll(&fd, 1, static_cast<int>(wait.count())) == 0;
  }

  tcp::socket& socket() { return socket_; }
  boost::beast::flat_buffer& buffer() { return buffer_; }

 private:
  asio::io_context context_;
  tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// Polls `condition` for up to five seconds: counters change on the server's threads.
template <class Condition>
bool eventually(Condition condition) {
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return condition();
}

class TestUpstreamTest : public ::testing::Test {
 protected:
  void SetUp() override { upstream_.start(); }
  TestUpstream upstream_{"legacy"};
};

TEST_F(TestUpstreamTest, UnknownPathAnswersServiceMethodAndPathAndNamesUpstream) {
  Client client(upstream_.port());
  auto res = client.get("/orders/7?x=1");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res["X-Upstream-Name"], "legacy");
  EXPECT_EQ(nlohmann::json::parse(res.body()),
            (nlohmann::json{{"service", "legacy"}, {"method", "GET"}, {"path", "/orders/7"}}));
}

TEST_F(TestUpstreamTest, AddressIsLoopbackAndChosenPort) {
  EXPECT_NE(upstream_.port(), 0);
  EXPECT_EQ(upstream_.address(), "127.0.0.1:" + std::to_string(upstream_.port()));
  EXPECT_EQ(upstream_.name(), "legacy");
}

TEST_F(TestUpstreamTest, RecordsMethodTargetHeadersInOrderAndBodyChecksum) {
  Client client(upstream_.port());
  // Raw bytes: Beast's own fields would regroup the repeated header.
  client.write_raw(
      "POST /anything?q=1 HTTP/1.1\r\nX-Trace: first\r\nHost: upstream.test\r\n"
      "x-trace: second\r\nContent-Length: 7\r\n\r\npayload");
  client.read();

  auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/anything?q=1");
  ASSERT_GE(seen[0].headers.size(), 4u);
  EXPECT_EQ(seen[0].headers[0], (std::pair<std::string, std::string>{"X-Trace", "first"}));
  EXPECT_EQ(seen[0].headers[1], (std::pair<std::string, std::string>{"Host", "upstream.test"}));
  EXPECT_EQ(seen[0].headers[2], (std::pair<std::string, std::string>{"x-trace", "second"}));
  EXPECT_EQ(seen[0].header("X-TRACE"), "first");
  EXPECT_EQ(seen[0].header_values("x-trace"), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(seen[0].header("absent"), std::nullopt);
  EXPECT_EQ(seen[0].body_bytes, 7u);
  EXPECT_EQ(seen[0].body_checksum, body_checksum("payload"));
  EXPECT_FALSE(seen[0].body_chunked);
  EXPECT_TRUE(seen[0].body_complete);
  EXPECT_EQ(seen[0].http_version, 11u);

  upstream_.clear_requests();
  EXPECT_TRUE(upstream_.requests().empty());
}

TEST_F(TestUpstreamTest, RecordingOffServesWithoutKeepingRequests) {
  upstream_.set_recording(false);
  Client client(upstream_.port());
  EXPECT_EQ(client.get("/").result_int(), 200);
  EXPECT_TRUE(upstream_.requests().empty());
  upstream_.set_recording(true);
  EXPECT_EQ(client.get("/again").result_int(), 200);
  ASSERT_EQ(upstream_.requests().size(), 1u);
  EXPECT_EQ(upstream_.requests()[0].target, "/again");
}

TEST_F(TestUpstreamTest, BodyChecksumIsCrc32) {
  EXPECT_EQ(body_checksum(""), 0u);
  EXPECT_EQ(body_checksum("123456789"), 0xCBF43926u);  // the CRC-32 check value
  BodyChecksum split;
  split.update("1234");
  split.update("56789");
  EXPECT_EQ(split.value(), 0xCBF43926u);
}

TEST_F(TestUpstreamTest, EchoReturnsBodyAndNamesMethodAndTarget) {
  Client client(upstream_.port());
  http::request<http::string_body> req{http::verb::put, "/echo?id=3", 11};
  req.set(http::field::content_type, "text/plain");
  req.body() = generated_bytes(5, 200000);
  auto res = client.exchange(req);
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), req.body());
  EXPECT_EQ(res["X-Echo-Method"], "PUT");
  EXPECT_EQ(res["X-Echo-Target"], "/echo?id=3");
  EXPECT_EQ(res[http::field::content_type], "text/plain");
  EXPECT_EQ(res["X-Upstream-Name"], "legacy");
}

TEST_F(TestUpstreamTest, EchoAnswersChunkedBodyChunkedAndRecordsItAsChunked) {
  Client client(upstream_.port());
  client.write_raw(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  auto res = client.read();
  EXPECT_TRUE(res.chunked());
  EXPECT_EQ(res.body(), "hello world");
  auto seen = upstream_.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].body_chunked);
  EXPECT_EQ(seen[0].body_bytes, 11u);
  EXPECT_EQ(seen[0].body_checksum, body_checksum("hello world"));
}

TEST_F(TestUpstreamTest, HeadersAnswersLowerCasedNamesWithEveryValue) {
  Client client(upstream_.port());
  http::request<http::string_body> req{http::verb::get, "/headers", 11};
  req.insert("Host", "upstream.test");
  req.insert("X-User-Id", "alice");
  req.insert("x-user-id", "bob");
  auto fields = nlohmann::json::parse(client.exchange(req).body());
  EXPECT_EQ(fields["x-user-id"], (nlohmann::json{"alice", "bob"}));
  EXPECT_EQ(fields["host"], (nlohmann::json{"upstream.test"}));
}

TEST_F(TestUpstreamTest, DelayAnswersAfterTheRequestedTime) {
  Client client(upstream_.port());
  const auto started = Clock::now();
  auto res = client.get("/delay?ms=150");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_GE(Clock::now() - started, milliseconds(150));
}

TEST_F(TestUpstreamTest, DelayDoesNotHoldUpOtherConnectionsOnTheSameThread) {
  Client slow(upstream_.port());
  slow.write_raw("GET /delay?ms=3000 HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(upstream_.wait_for_requests(1, milliseconds(5000)));
  Client quick(upstream_.port());
  const auto started = Clock::now();
  EXPECT_EQ(quick.get("/").result_int(), 200);
  // A blocked thread would hold this answer for the full 3 s.
  EXPECT_LT(Clock::now() - started, milliseconds(1500));
}
TEST_F(TestUpstreamTest, StatusAnswersTheRequestedCode) {
  Client client(upstream_.port());
  EXPECT_EQ(client.get("/status?code=503").result_int(), 503);
  auto no_content = client.get("/status?code=204");
  EXPECT_EQ(no_content.result_int(), 204);
  EXPECT_TRUE(no_content.body().empty());
  EXPECT_EQ(client.get("/status?code=abc").result_int(), 400);
  EXPECT_EQ(client.get("/status?code=42").result_int(), 400);
}

TEST_F(TestUpstreamTest, AmountsThatAreNotNumbersAreBadRequests) {
  Client client(upstream_.port());
  for (const char* target : {"/delay?ms=soon", "/bytes?n=-1", "/bytes?n=1&chunk=0",
                             "/reset-mid-body?after=x", "/slow-body?bytes=1&gap_ms=1&piece=0"}) {
    auto res = client.get(target);
    EXPECT_EQ(res.result_int(), 400) << target;
    EXPECT_TRUE(nlohmann::json::parse(res.body()).contains("error")) << target;
  }
}

TEST_F(TestUpstreamTest, HeadGetsTheHeadWithoutABody) {
  Client client(upstream_.port());
  client.write_raw("HEAD /bytes?n=5 HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n");
  http::response_parser<http::empty_body> head;
  head.skip(true);  // a response to HEAD has no body whatever its Content-Length says
  http::read(client.socket(), client.buffer(), head);
  EXPECT_EQ(head.get()[http::field::content_length], "5");
  EXPECT_EQ(client.read().result_int(), 200) << "the next response must follow the head directly";
}

TEST_F(TestUpstreamTest, BytesSendsGeneratedPatternWithContentLength) {
  Client client(upstream_.port());
  auto res = client.get("/bytes?n=100000");
  EXPECT_EQ(res[http::field::content_length], "100000");
  EXPECT_EQ(res.body(), generated_bytes(0, 100000));
}

TEST_F(TestUpstreamTest, BytesChunkedSendsChunksOfTheRequestedSize) {
  Client client(upstream_.port());
  client.write_raw("GET /bytes?n=10&chunked=1&chunk=4 HTTP/1.1\r\nHost: t\r\n\r\n");
  http::response_parser<http::string_body> parser;
  std::vector<std::uint64_t> chunk_sizes;
  auto on_chunk = [&](std::uint64_t size, std::string_view, boost::system::error_code&) {
    chunk_sizes.push_back(size);
  };
  parser.on_chunk_header(on_chunk);
  http::read(client.socket(), client.buffer(), parser);
  EXPECT_EQ(parser.get().body(), "abcdefghij");
  EXPECT_EQ(chunk_sizes, (std::vector<std::uint64_t>{4, 4, 2, 0}));
}

TEST_F(TestUpstreamTest, BytesStreamsLargeBodiesInConstantMemory) {
  constexpr std::uint64_t kTotal = 48ull * 1024 * 1024;
  rusage before{};
  getrusage(RUSAGE_SELF, &before);
  Client client(upstream_.port());
  client.write_raw("GET /bytes?n=" + std::to_string(kTotal) + " HTTP/1.1\r\nHost: t\r\n\r\n");
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(boost::none);
  http::read_header(client.socket(), client.buffer(), parser);
  std::vector<char> piece(256 * 1024);
  BodyChecksum received;
  std::uint64_t bytes = 0;
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    boost::system::error_code ec;
    http::read(client.socket(), client.buffer(), parser, ec);
    ASSERT_TRUE(!ec || ec == http::error::need_buffer) << ec.message();
    const std::size_t got = piece.size() - parser.get().body().size;
    received.update(piece.data(), got);
    bytes += got;
  }
  rusage after{};
  getrusage(RUSAGE_SELF, &after);
  EXPECT_EQ(bytes, kTotal);
  // A block whose length is a multiple of 26 continues the pattern when repeated.
  const std::string block = generated_bytes(0, 26 * 4096);
  BodyChecksum expected;
  for (std::uint64_t at = 0; at < kTotal; at += block.size()) {
    expected.update(block.data(), std::min<std::uint64_t>(block.size(), kTotal - at));
  }
  EXPECT_EQ(received.value(), expected.value());
  // Peak RSS (KiB) must not grow by anything near the body size.
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 16 * 1024);
}

TEST_F(TestUpstreamTest, SinkCountsAndChecksumsTheBody) {
  Client client(upstream_.port());
  http::request<http::string_body> req{http::verb::post, "/sink", 11};
  req.body() = generated_bytes(3, 300000);
  auto answer = nlohmann::json::parse(client.exchange(req).body());
  EXPECT_EQ(answer["bytes"], 300000);
  EXPECT_EQ(answer["checksum"], body_checksum(req.body()));
}

TEST_F(TestUpstreamTest, ExpectContinueGetsInterimResponseBeforeTheBodyIsSent) {
  Client client(upstream_.port());
  client.write_raw(
      "POST /sink HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  http::response_parser<http::empty_body> interim;
  http::read_header(client.socket(), client.buffer(), interim);
  EXPECT_EQ(interim.get().result_int(), 100);
  client.write_raw("abcd");
  auto answer = nlohmann::json::parse(client.read().body());
  EXPECT_EQ(answer["bytes"], 4);
}

TEST_F(TestUpstreamTest, ResetClosesWithRstAndNoAnswer) {
  Client client(upstream_.port());
  client.write_raw("GET /reset HTTP/1.1\r\nHost: t\r\n\r\n");
  boost::system::error_code ended;
  EXPECT_EQ(client.read_until_closed(ended), "");
  EXPECT_EQ(ended, asio::error::connection_reset);
  EXPECT_EQ(upstream_.requests().size(), 1u);
}

TEST_F(TestUpstreamTest, ResetMidBodySendsSomeBodyThenRst) {
  Client client(upstream_.port());
  client.write_raw("GET /reset-mid-body?after=10 HTTP/1.1\r\nHost: t\r\n\r\n");
  boost::system::error_code ended;
  const std::string received = client.read_until_closed(ended);
  EXPECT_EQ(ended, asio::error::connection_reset);
  EXPECT_NE(received.find("Content-Length: 1034\r\n"), std::string::npos) << received;
  EXPECT_TRUE(received.ends_with("\r\n\r\n" + generated_bytes(0, 10))) << received;
}

TEST_F(TestUpstreamTest, HangReadsTheRequestAndNeverAnswersUntilStop) {
  Client client(upstream_.port());
  client.write_raw("POST /hang HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi");
  ASSERT_TRUE(upstream_.wait_for_requests(1, milliseconds(5000)));
  EXPECT_TRUE(client.silent_for(milliseconds(200)));
  EXPECT_EQ(upstream_.open_connections(), 1u);
  upstream_.stop();
  boost::system::error_code ended;
  EXPECT_EQ(client.read_until_closed(ended), "");
  EXPECT_TRUE(ended) << "the connection should be closed by stop()";
  EXPECT_EQ(upstream_.open_connections(), 0u);
}

TEST_F(TestUpstreamTest, HangingConnectionEndsWhenTheClientCloses) {
  {
    Client client(upstream_.port());
    client.write_raw("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n");
    ASSERT_TRUE(eventually([&] { return upstream_.open_connections() == 1; }));
  }
  EXPECT_TRUE(eventually([&] { return upstream_.open_connections() == 0; }));
}

TEST_F(TestUpstreamTest, MalformedAnswersBytesThatAreNotHttpAndCloses) {
  Client client(upstream_.port());
  client.write_raw("GET /malformed HTTP/1.1\r\nHost: t\r\n\r\n");
  boost::system::error_code ended;
  const std::string received = client.read_until_closed(ended);
  EXPECT_EQ(ended, asio::error::eof);
  EXPECT_FALSE(received.empty());
  EXPECT_FALSE(received.starts_with("HTTP/"));
}

TEST_F(TestUpstreamTest, CloseAnswersWithConnectionCloseThenCloses) {
  Client client(upstream_.port());
  auto res = client.get("/close");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_FALSE(res.keep_alive());
  boost::system::error_code ended;
  EXPECT_EQ(client.read_until_closed(ended), "");
  EXPECT_EQ(ended, asio::error::eof);
}

TEST_F(TestUpstreamTest, SlowBodySendsHeadAtOnceThenOnePieceEveryGap) {
  Client client(upstream_.port());
  client.write_raw("GET /slow-body?bytes=6&gap_ms=100&piece=2 HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto started = Clock::now();
  http::response_parser<http::string_body> parser;
  http::read_header(client.socket(), client.buffer(), parser);
  const auto head_at = Clock::now();
  http::read(client.socket(), client.buffer(), parser);
  const auto body_at = Clock::now();
  EXPECT_EQ(parser.get().body(), "abcdef");
  EXPECT_GE(body_at - started, milliseconds(300));  // three pieces, a gap before each
  // Relative, so a slow machine cannot fail it: the body took at least two more gaps after the
  // head.
  EXPECT_GE(body_at - head_at, milliseconds(200));
}
TEST_F(TestUpstreamTest, KeepAliveServesManyRequestsOnOneConnection) {
  Client client(upstream_.port());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(client.get("/").result_int(), 200);
  EXPECT_EQ(upstream_.connections_accepted(), 1u);
  EXPECT_EQ(upstream_.requests().size(), 3u);
}

TEST_F(TestUpstreamTest, Http10RequestIsAnsweredAndClosed) {
  Client client(upstream_.port());
  client.write_raw("GET /x HTTP/1.0\r\n\r\n");
  boost::system::error_code ended;
  const std::string received = client.read_until_closed(ended);
  EXPECT_TRUE(received.starts_with("HTTP/1.0 200")) << received;
  EXPECT_EQ(ended, asio::error::eof);
  EXPECT_EQ(upstream_.requests().at(0).http_version, 10u);
}

TEST_F(TestUpstreamTest, CountsAcceptedAndOpenConnections) {
  {
    Client first(upstream_.port());
    Client second(upstream_.port());
    first.get("/");
    second.get("/");
    EXPECT_EQ(upstream_.connections_accepted(), 2u);
    EXPECT_EQ(upstream_.open_connections(), 2u);
  }
  EXPECT_TRUE(eventually([&] { return upstream_.open_connections() == 0; }));
  EXPECT_EQ(upstream_.connections_accepted(), 2u);
}

TEST_F(TestUpstreamTest, RestartListensOnTheSamePortAgain) {
  const auto port = upstream_.port();
  upstream_.stop();
  EXPECT_THROW(Client{port}, boost::system::system_error);
  upstream_.start();
  EXPECT_EQ(upstream_.port(), port);
  EXPECT_EQ(Client(port).get("/").result_int(), 200);
}

TEST(TestUpstreamSetup, StartThrowsWhenThePortIsTaken) {
  TestUpstream first("first");
  first.start();
  TestUpstream second("second", first.address());
  EXPECT_THROW(second.start(), std::system_error);
}

TEST(TestUpstreamSetup, RejectsAListenAddressThatIsNotIpAndPort) {
  EXPECT_THROW(TestUpstream("x", "127.0.0.1"), std::invalid_argument);
  EXPECT_THROW(TestUpstream("x", "example.com:80"), std::invalid_argument);
  EXPECT_THROW(TestUpstream("x", "127.0.0.1:99999"), std::invalid_argument);
}

TEST(TestUpstreamSetup, ServesIpv6Loopback) {
  TestUpstream upstream("v6", "[::1]:0");
  try {
    upstream.start();
  } catch (const std::system_error&) {
    GTEST_SKIP() << "no IPv6 loopback here";
  }
  EXPECT_TRUE(upstream.address().starts_with("[::1]:"));
  asio::io_context context;
  tcp::socket socket(context);
  socket.connect(tcp::endpoint(asio::ip::make_address("::1"), upstream.port()));
  http::request<http::empty_body> req{http::verb::get, "/v6", 11};
  http::write(socket, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  EXPECT_EQ(res["X-Upstream-Name"], "v6");
}

TEST(TestUpstreamSetup, SeveralThreadsServeConcurrentConnections) {
  TestUpstream upstream("pool", "127.0.0.1:0", 4);
  upstream.start();
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&] {
      Client client(upstream.port());
      for (int j = 0; j < 20; ++j) {
        if (client.get("/delay?ms=1").result_int() == 200) ++answered;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(answered.load(), 160);
  EXPECT_EQ(upstream.requests().size(), 160u);
}

}  // namespace
}  // namespace ficus::testing
