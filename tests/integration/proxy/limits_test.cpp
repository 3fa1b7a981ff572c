// Header and body limits, and request framing that must never be forwarded.
#include "tests/integration/proxy/proxy_fixture.h"

namespace ficus::testing {
namespace {

class LimitsTest : public ProxyTest {
 protected:
  void SetUp() override {
    ProxyTest::SetUp();
    auto config = base_config();
    config["limits"] = {{"max_header_bytes", 4096}, {"max_body_bytes", 1000}};
    proxy_ = std::make_unique<ProxyProcess>(config);
  }
  std::string exchange(const std::string& bytes) { return raw_exchange(proxy_->port(), bytes); }
  std::unique_ptr<ProxyProcess> proxy_;
};

TEST_F(LimitsTest, OversizedHeaderIs431) {
  auto raw = exchange("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(5000, 'a') + "\r\n\r\n");
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 431")) << raw.substr(0, 100);
  EXPECT_EQ(old_upstream_->requests().size(), 0u);
}

TEST_F(LimitsTest, DeclaredBodyOverLimitIs413BeforeForwarding) {
  auto raw = exchange("POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n");
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 413")) << raw;
  EXPECT_EQ(old_upstream_->requests().size(), 0u);
}

TEST_F(LimitsTest, ChunkedBodyOverLimitIs413) {
  std::string chunk(600, 'c');
  auto raw =
      exchange("POST /sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n" +
               chunk + "\r\n258\r\n" + chunk + "\r\n0\r\n\r\n");
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 413")) << raw;
}

TEST_F(LimitsTest, BodyAtLimitPasses) {
  auto reply = http_request(proxy_->port(), "POST", "/sink", {}, std::string(1000, 'b'));
  EXPECT_EQ(reply.status, 200) << reply.error;
}

struct FramingCase {
  const char* name;
  const char* request;
};

class AmbiguousFramingTest : public LimitsTest,
                             public ::testing::WithParamInterface<FramingCase> {};

TEST_P(AmbiguousFramingTest, IsRejectedWith400AndNeverForwarded) {
  auto raw = exchange(GetParam().request);
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 400")) << GetParam().name << ": " << raw;
  EXPECT_EQ(old_upstream_->requests().size(), 0u) << GetParam().name;
  // The proxy keeps serving.
  EXPECT_EQ(http_get(proxy_->port(), "/orders").status, 200);
}

INSTANTIATE_TEST_SUITE_P(
    Smuggling, AmbiguousFramingTest,
    ::testing::Values(
        FramingCase{"ContentLengthAndChunked",
                    "POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
        FramingCase{"ChunkedAndContentLength",
                    "POST /sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                    "Content-Length: 4\r\n\r\n0\r\n\r\n"},
        FramingCase{"ConflictingContentLength",
                    "POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                    "Content-Length: 6\r\n\r\nhello!"},
        FramingCase{"ChunkedNotLast",
                    "POST /sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"},
        FramingCase{"GzipThenChunked",
                    "POST /sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                    "0\r\n\r\n"},
        FramingCase{"ObfuscatedChunked",
                    "POST /sink HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n"},
        FramingCase{"Http10Chunked",
                    "POST /sink HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "0\r\n\r\n"},
        FramingCase{"NegativeContentLength",
                    "POST /sink HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"},
        FramingCase{"MissingHost", "GET /orders HTTP/1.1\r\n\r\n"}),
    [](const ::testing::TestParamInfo<FramingCase>& c) { return std::string(c.param.name); });

}  // namespace
}  // namespace ficus::testing
