// OFREP over real HTTP: a tiny Boost.Beast loopback server that calls handle_ofrep() the way
// the admin listener will, serving a FlagStore backed by a real file.
#include <gtest/gtest.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "flags/flag_store.h"
#include "flags/ofrep.h"

namespace ficus::flags {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Accepts loopback connections on a free port; one request per connection.
class OfrepServer {
 public:
  explicit OfrepServer(FlagStore& store)
      : store_(store), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~OfrepServer() {
    io_.stop();
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

 private:
  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      serve(socket);
      accept();
    });
  }
  void serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    beast::error_code ec;
    http::read(socket, buffer, request, ec);
    if (ec) return;
    const auto set = store_.current();
    const OfrepReply reply =
        handle_ofrep(*set, store_.generation(), request.method_string(), request.target(),
                     request.body(), request[http::field::if_none_match]);
    http::response<http::string_body> response{static_cast<http::status>(reply.status),
                                               request.version()};
    if (!reply.body.empty()) response.set(http::field::content_type, "application/json");
    if (!reply.etag.empty()) response.set(http::field::etag, reply.etag);
    if (!reply.allow.empty()) response.set(http::field::allow, reply.allow);
    response.body() = reply.body;
    response.prepare_payload();
    http::write(socket, response, ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
  }

  FlagStore& store_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

http::response<http::string_body> send(unsigned short port, http::verb method,
                                       const std::string& target, const std::string& body,
                                       const std::string& if_none_match = "") {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/json");
  if (!if_none_match.empty()) request.set(http::field::if_none_match, if_none_match);
  request.body() = body;
  request.prepare_payload();
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  return response;
}

std::string flags_with_default(const std::string& variant) {
  return R"({"metadata": {"flagSetId": "shop"}, "flags": {"orders-cutover": {"state": "ENABLED",
      "variants": {"new": "new", "old": "old"}, "defaultVariant": ")" +
         variant + R"(", "targeting": {"if": [{"==": [{"var": "plan"}, "beta"]}, "new", null]}}}})";
}

class OfrepOverHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ficus-ofrep-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    file_ = (dir_ / "flags.json").string();
    std::ofstream(file_) << flags_with_default("old");
    FlagStore::Options options;
    options.watch = false;
    store_ = std::make_unique<FlagStore>(std::vector<std::string>{"file:" + file_}, options);
    ASSERT_TRUE(store_->start().empty());
    server_ = std::make_unique<OfrepServer>(*store_);
  }
  void TearDown() override {
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  unsigned short port() const { return server_->port(); }

  std::filesystem::path dir_;
  std::string file_;
  std::unique_ptr<FlagStore> store_;
  std::unique_ptr<OfrepServer> server_;
};

TEST_F(OfrepOverHttp, SingleFlag200WithJsonBody) {
  const auto r = send(port(), http::verb::post, "/ofrep/v1/evaluate/flags/orders-cutover",
                      R"({"context": {"targetingKey": "u1", "plan": "beta"}})");
  EXPECT_EQ(r.result_int(), 200u);
  EXPECT_EQ(r[http::field::content_type], "application/json");
  EXPECT_EQ(nlohmann::json::parse(r.body()),
            R"({"key": "orders-cutover", "value": "new", "variant": "new",
      "reason": "TARGETING_MATCH", "metadata": {"flagSetId": "shop"}})"_json);
}

TEST_F(OfrepOverHttp, UnknownFlag404AndBadContext400) {
  const auto missing =
      send(port(), http::verb::post, "/ofrep/v1/evaluate/flags/nope", R"({"context": {}})");
  EXPECT_EQ(missing.result_int(), 404u);
  EXPECT_EQ(nlohmann::json::parse(missing.body()).at("errorCode"), "FLAG_NOT_FOUND");
  const auto bad =
      send(port(), http::verb::post, "/ofrep/v1/evaluate/flags/orders-cutover", "{not json");
  EXPECT_EQ(bad.result_int(), 400u);
  EXPECT_EQ(nlohmann::json::parse(bad.body()).at("errorCode"), "INVALID_CONTEXT");
}

TEST_F(OfrepOverHttp, GetIs405WithAllowHeader) {
  const auto r = send(port(), http::verb::get, "/ofrep/v1/evaluate/flags/orders-cutover", "");
  EXPECT_EQ(r.result_int(), 405u);
  EXPECT_EQ(r[http::field::allow], "POST");
}

TEST_F(OfrepOverHttp, BulkETagGives304UntilTheFlagsChange) {
  const std::string body = R"({"context": {"targetingKey": "u1"}})";
  const auto first = send(port(), http::verb::post, "/ofrep/v1/evaluate/flags", body);
  ASSERT_EQ(first.result_int(), 200u);
  const std::string etag(first[http::field::etag]);
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(nlohmann::json::parse(first.body()).at("flags")[0].at("value"), "old");

  const auto cached = send(port(), http::verb::post, "/ofrep/v1/evaluate/flags", body, etag);
  EXPECT_EQ(cached.result_int(), 304u);
  EXPECT_TRUE(cached.body().empty());

  std::ofstream(file_, std::ios::trunc) << flags_with_default("new");
  ASSERT_TRUE(store_->reload_now().empty());
  const auto changed = send(port(), http::verb::post, "/ofrep/v1/evaluate/flags", body, etag);
  EXPECT_EQ(changed.result_int(), 200u);
  EXPECT_NE(changed[http::field::etag], etag);
  EXPECT_EQ(nlohmann::json::parse(changed.body()).at("flags")[0].at("value"), "new");
}

}  // namespace
}  // namespace ficus::flags
