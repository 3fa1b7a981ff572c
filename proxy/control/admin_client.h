// AdminClient: a small blocking HTTP/1.1 client for the admin API, used by `ficus flags status |
// split | kill | restore | history`.
//
// One request per connection, a bearer token when one is given, and X-Ficus-Actor so the audit
// log says who ran the command. Connection problems throw std::runtime_error naming the address;
// HTTP error statuses are returned, not thrown, so the caller can print the server's message.
//
//   AdminClient client({.address = "127.0.0.1:9901", .token = "", .actor = "alice"});
//   AdminResponse r = client.request(http::verb::get, "/admin/routes");
//   if (r.status != 200) std::cerr << r.error_message() << "\n";
#pragma once

#include <chrono>
#include <string>

#include <boost/beast/http/verb.hpp>

namespace ficus::proxy::control {

struct AdminClientOptions {
  std::string address = "127.0.0.1:9901";  // HOST:PORT, "[::1]:9901" for IPv6
  std::string token;                       // sent as "Authorization: Bearer TOKEN" when set
  std::string actor;                       // sent as X-Ficus-Actor when set
  std::chrono::milliseconds timeout{10'000};
};

struct AdminResponse {
  unsigned status = 0;
  std::string body;
  // The server's "error" field when the body is JSON with one, else the body itself.
  std::string error_message() const;
};

class AdminClient {
 public:
  explicit AdminClient(AdminClientOptions options);
  AdminResponse request(boost::beast::http::verb method, const std::string& target,
                        const std::string& json_body = {}) const;
  const AdminClientOptions& options() const { return options_; }

 private:
  AdminClientOptions options_;
  std::string host_;
  std::string port_;
};

}  // namespace ficus::proxy::control
