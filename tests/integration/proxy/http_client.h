// Blocking HTTP/1.1 helpers for end-to-end tests: a one-shot request, a keep-alive client, and a
// raw-bytes exchange for malformed input. Every call has a timeout, so a hung proxy fails the test
// instead of hanging it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ficus::testing {

struct HttpReply {
  unsigned status = 0;  // 0: no response (connection failed, closed or timed out)
  std::string error;    // why status is 0
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;
  bool keep_alive = false;
  std::string header(const std::string& lower_name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// One request on a new connection (Connection: close).
HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const Headers& headers = {}, const std::string& body = "",
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));
inline HttpReply http_get(std::uint16_t port, const std::string& target,
                          const Headers& headers = {}) {
  return http_request(port, "GET", target, headers);
}

// A keep-alive connection for several requests in a row.
class HttpConnection {
 public:
  explicit HttpConnection(std::uint16_t port,
                          std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpConnection();
  HttpReply request(const std::string& method, const std::string& target,
                    const Headers& headers = {}, const std::string& body = "");
  bool is_open() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sends `bytes` as they are, then reads until the peer closes or `timeout` passes.
std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace ficus::testing
