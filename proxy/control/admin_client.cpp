#include "proxy/control/admin_client.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "proxy/asio.h"

namespace ficus::proxy::control {

std::string AdminResponse::error_message() const {
  auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()) {
    return parsed["error"].get<std::string>();
  }
  return body.empty() ? "HTTP " + std::to_string(status) : body;
}

AdminClient::AdminClient(AdminClientOptions options) : options_(std::move(options)) {
  const std::string& address = options_.address;
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    throw std::runtime_error("admin address \"" + address +
                             "\" is not HOST:PORT; use e.g. 127.0.0.1:9901");
  }
  host_ = address.substr(0, colon);
  port_ = address.substr(colon + 1);
  if (host_.size() >= 2 && host_.front() == '[' && host_.back() == ']') {
    host_ = host_.substr(1, host_.size() - 2);
  }
}

AdminResponse AdminClient::request(http::verb method, const std::string& target,
                                   const std::string& json_body) const {
  net::io_context io;
  beast::tcp_stream stream(io);
  const std::string where = "admin API at " + options_.address;
  error_code ec;
  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(host_, port_, ec);
  if (ec) throw std::runtime_error("cannot resolve " + where + ": " + ec.message());
  stream.expires_after(options_.timeout);
  stream.connect(endpoints, ec);
  if (ec) throw std::runtime_error("cannot reach " + where + ": " + ec.message());

  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, options_.address);
  request.set(http::field::user_agent, "ficus-cli");
  if (!options_.token.empty()) request.set(http::field::authorization, "Bearer " + options_.token);
  if (!options_.actor.empty()) request.set("X-Ficus-Actor", options_.actor);
  if (!json_body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = json_body;
  }
  request.keep_alive(false);
  request.prepare_payload();
  stream.expires_after(options_.timeout);
  http::write(stream, request, ec);
  if (ec) throw std::runtime_error("cannot send to " + where + ": " + ec.message());
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response, ec);
  if (ec) throw std::runtime_error("no answer from " + where + ": " + ec.message());
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return {response.result_int(), std::move(response.body())};
}

}  // namespace ficus::proxy::control
