// Upstream failures and timeouts -> 502/503/504 as JSON; retries only where they are safe.
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

#include <boost/asio.hpp>

#include "tests/integration/proxy/proxy_fixture.h"

namespace ficus::testing {
namespace {

using namespace std::chrono_literals;

nlohmann::json error_body(const HttpReply& reply) {
  auto body = nlohmann::json::parse(reply.body, nullptr, false);
  return body.is_discarded() ? nlohmann::json::object() : body;
}

TEST_F(ProxyTest, UpstreamTooSlowIs504AtRouteTimeout) {
  auto config = base_config();
  config["routes"].push_back({{"name", "slow"},
                              {"match", {{"path_prefix", "/delay"}}},
                              {"old", "legacy"},
                              {"timeout_ms", 300}});
  ProxyProcess proxy(config);
  auto start = std::chrono::steady_clock::now();
  auto reply = http_get(proxy.port(), "/delay?ms=3000");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(reply.status, 504);
  EXPECT_EQ(error_body(reply)["route"], "slow");
  EXPECT_EQ(error_body(reply)["target"], "old");
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2500ms);
}

TEST_F(ProxyTest, RefusedConnectionIs502) {
  auto config = base_config();
  config["upstreams"]["legacy"]["endpoints"] = {"127.0.0.1:" + std::to_string(free_port())};
  ProxyProcess proxy(config);
  auto reply = http_request(proxy.port(), "POST", "/orders", {}, "x");
  EXPECT_EQ(reply.status, 502);
  EXPECT_NE(error_body(reply)["error"].get<std::string>().find("connect"), std::string::npos)
      << reply.body;
}

TEST_F(ProxyTest, ConnectTimeoutIs504) {
  // A listener whose accept queue is full drops further SYNs, so connect() hangs.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    fillers.push_back(fd);
  }
  std::this_thread::sleep_for(100ms);

  auto config = base_config();
  config["upstreams"]["legacy"]["endpoints"] = {"127.0.0.1:" +
                                                std::to_string(ntohs(address.sin_port))};
  config["upstreams"]["legacy"]["connect_timeout_ms"] = 300;
  ProxyProcess proxy(config);
  auto start = std::chrono::steady_clock::now();
  auto reply = http_request(proxy.port(), "POST", "/orders", {}, "x");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(reply.status, 504) << reply.body;
  EXPECT_LT(took, 3s);
  for (int fd : fillers) ::close(fd);
  ::close(listener);
}

TEST_F(ProxyTest, UpstreamResetIs502) {
  ProxyProcess proxy(base_config());
  auto reply = http_request(proxy.port(), "POST", "/reset", {}, "x");
  EXPECT_EQ(reply.status, 502);
  EXPECT_EQ(error_body(reply)["route"], "default");
}

TEST_F(ProxyTest, MalformedUpstreamResponseIs502) {
  ProxyProcess proxy(base_config());
  auto reply = http_get(proxy.port(), "/malformed");
  EXPECT_EQ(reply.status, 502);
}

TEST_F(ProxyTest, PooledConnectionsTheUpstreamClosedAreDroppedBeforeAPostReusesThem) {
  auto config = base_config();
  config["threads"] = 1;
  ProxyProcess proxy(config);
  HttpConnection client(proxy.port());
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client.request("GET", "/warm").status, 200);
  // A restart closes every connection the proxy keeps in its pool.
  old_upstream_->stop();
  old_upstream_->start();
  // Idle connections are watched after 50 ms, swept every 100 ms: by now the closes are seen.
  std::this_thread::sleep_for(600ms);
  auto accepted = old_upstream_->connections_accepted();
  // A POST is never retried: on a pooled socket the upstream had closed it would be a 502.
  auto reply = client.request("POST", "/orders", {}, "payload");
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(old_upstream_->connections_accepted(), accepted + 1);
}

TEST_F(ProxyTest, ExhaustedPoolIs503) {
  auto config = base_config();
  config["upstreams"]["legacy"]["pool"] = {{"max_connections", 1}};
  config["threads"] = 1;
  ProxyProcess proxy(config);
  auto slow =
      std::async(std::launch::async, [&] { return http_get(proxy.port(), "/delay?ms=1500"); });
  ASSERT_TRUE(old_upstream_->wait_for_requests(1, 2s) || old_upstream_->open_connections() == 1);
  std::this_thread::sleep_for(100ms);
  auto reply = http_get(proxy.port(), "/orders");
  EXPECT_EQ(reply.status, 503) << reply.body;
  EXPECT_EQ(slow.get().status, 200);
}

TEST_F(ProxyTest, IdempotentRequestRetriedOnNextEndpointAfterConnectFailure) {
  auto config = base_config();
  std::string dead = "127.0.0.1:" + std::to_string(free_port());
  config["upstreams"]["legacy"]["endpoints"] = {dead, old_upstream_->address()};
  config["threads"] = 1;  // one worker, one round-robin sequence
  ProxyProcess proxy(config);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(http_get(proxy.port(), "/orders").status, 200) << "GET " << i;
  }
  // POST is not retried: the one that lands on the dead endpoint fails.
  std::vector<unsigned> statuses;
  for (int i = 0; i < 2; ++i) {
    statuses.push_back(http_request(proxy.port(), "POST", "/orders", {}, "x").status);
  }
  std::sort(statuses.begin(), statuses.end());
  EXPECT_EQ(statuses, (std::vector<unsigned>{200, 502}));
}

TEST_F(ProxyTest, SlowClientHeaderIsCutAtHeaderTimeout) {
  auto config = base_config();
  config["timeouts"] = {{"header_read_ms", 300}};
  ProxyProcess proxy(config);
  auto start = std::chrono::steady_clock::now();
  auto raw = raw_exchange(proxy.port(), "GET /orders HTTP/1.1\r\nHost: x\r\n", 5s);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(raw, "") << "the connection is closed without a response";
  EXPECT_LT(took, 2s);
  EXPECT_EQ(old_upstream_->requests().size(), 0u);
}

TEST_F(ProxyTest, IdleKeepAliveConnectionIsClosed) {
  auto config = base_config();
  config["timeouts"] = {{"keepalive_idle_ms", 300}};
  ProxyProcess proxy(config);
  auto start = std::chrono::steady_clock::now();
  // One complete keep-alive request, then silence: the proxy must close the connection.
  auto raw = raw_exchange(proxy.port(), "GET /orders HTTP/1.1\r\nHost: x\r\n\r\n", 5s);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(raw.starts_with("HTTP/1.1 200")) << raw;
  EXPECT_GE(took, 250ms);
  EXPECT_LT(took, 2s);
}

}  // namespace
}  // namespace ficus::testing
