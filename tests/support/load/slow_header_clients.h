// SlowHeaderClients: connections that send a request head one byte at a time (slowloris), to check
// that the server cuts them at its header timeout while it keeps serving everyone else. Each client
// reconnects after being cut, so the pressure lasts until stop().
//
//   SlowHeaderClients slow({.port = proxy.port(), .clients = 500});
//   slow.start();
//   ... measure normal clients ...
//   for (const SlowClientCut& cut : slow.stop()) EXPECT_NEAR(cut.held_ms(), 1000, 200);
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ficus::testing {

struct SlowClientCut {
  std::chrono::steady_clock::time_point connected, closed;  // closed: the server closed it
  std::size_t bytes_sent = 0;
  std::string received;  // what the server sent before closing (usually nothing, or a 408)
  double held_ms() const {
    return std::chrono::duration<double, std::milli>(closed - connected).count();
  }
};

struct SlowClientOptions {
  std::uint16_t port = 0;
  unsigned clients = 500;
  std::chrono::milliseconds byte_interval{100};
  // Long enough never to complete at one byte per interval within the timeouts tested.
  std::string head =
      "GET /orders HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow-header-client\r\n"
      "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
};

class SlowHeaderClients {
 public:
  explicit SlowHeaderClients(SlowClientOptions options);
  ~SlowHeaderClients();  // stop()s
  SlowHeaderClients(const SlowHeaderClients&) = delete;
  SlowHeaderClients& operator=(const SlowHeaderClients&) = delete;

  void start();
  // Closes every client and returns the connections the server closed, oldest first. Connects
  // that failed are counted in connect_failures().
  std::vector<SlowClientCut> stop();
  // Clients that sent their whole head (the server should have cut them first).
  std::size_t completed_heads() const;
  std::size_t connect_failures() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ficus::testing
