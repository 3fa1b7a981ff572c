// Header and body limits.
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

// Ambiguous framing (CL.TE, TE.CL, obfuscated Transfer-Encoding, ...) is covered case by case in
// the hostile-input corpus: hostile_cases.cpp, run by hostile_test.cpp.

}  // namespace
}  // namespace ficus::testing
