#include "tests/integration/proxy/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ficus::testing {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

HttpReply to_reply(const http::response<http::string_body>& response) {
  HttpReply reply;
  reply.status = response.result_int();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers.emplace(name, std::string(field.value()));
  }
  reply.body = response.body();
  reply.keep_alive = response.keep_alive();
  return reply;
}

http::request<http::string_body> make_request(const std::string& method, const std::string& target,
                                              const Headers& headers, const std::string& body,
                                              bool keep_alive) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  bool has_host = false;
  for (const auto& [name, value] : headers) {
    request.insert(name, value);
    has_host = has_host || beast::iequals(name, "host");
  }
  if (!has_host) request.set(http::field::host, "localhost");
  request.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT") request.prepare_payload();
  request.keep_alive(keep_alive);
  return request;
}

}  // namespace

std::string HttpReply::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

struct HttpConnection::Impl {
  net::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  std::chrono::milliseconds timeout;
  bool open = false;
};

HttpConnection::HttpConnection(std::uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->timeout = timeout;
  impl_->stream.expires_after(timeout);
  boost::system::error_code ec;
  impl_->stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  impl_->open = !ec;
}

HttpConnection::~HttpConnection() = default;

bool HttpConnection::is_open() const {
  return impl_->open;
}

HttpReply HttpConnection::request(const std::string& method, const std::string& target,
                                  const Headers& headers, const std::string& body) {
  HttpReply failed;
  if (!impl_->open) {
    failed.error = "not connected";
    return failed;
  }
  auto request = make_request(method, target, headers, body, true);
  boost::system::error_code ec;
  impl_->stream.expires_after(impl_->timeout);
  http::write(impl_->stream, request, ec);
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  if (method == "HEAD") parser.skip(true);
  if (!ec) http::read(impl_->stream, impl_->buffer, parser, ec);
  if (ec) {
    impl_->open = false;
    failed.error = ec.message();
    return failed;
  }
  auto reply = to_reply(parser.get());
  if (!reply.keep_alive) impl_->open = false;
  return reply;
}

HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const Headers& headers, const std::string& body,
                       std::chrono::milliseconds timeout) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(timeout);
  HttpReply failed;
  boost::system::error_code ec;
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    failed.error = ec.message();
    return failed;
  }
  auto request = make_request(method, target, headers, body, false);
  http::write(stream, request, ec);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(boost::none);
  if (method == "HEAD") parser.skip(true);
  if (!ec) http::read(stream, buffer, parser, ec);
  if (ec) {
    failed.error = ec.message();
    return failed;
  }
  return to_reply(parser.get());
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(timeout);
  boost::system::error_code ec;
  stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {};
  net::write(stream, net::buffer(bytes), ec);
  std::string received;
  char chunk[4096];
  while (!ec) {
    std::size_t n = stream.read_some(net::buffer(chunk), ec);
    received.append(chunk, n);
  }
  return received;
}

}  // namespace ficus::testing
