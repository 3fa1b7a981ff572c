// Listener: accepts client connections and deals them out to the workers round-robin.
//
// It runs on the control thread; each socket is accepted straight onto its worker's io_context.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "config/proxy_config.h"
#include "proxy/asio.h"

namespace ficus::proxy {

class Worker;
struct ProxyState;

class Listener {
 public:
  Listener(net::io_context& control, std::vector<std::unique_ptr<Worker>>& workers,
           ProxyState& state);
  // Binds and listens; returns an error message, or "" on success.
  std::string open(const config::HostPort& address);
  void start();
  void stop();  // stops accepting; open connections are untouched
  std::uint16_t port() const { return port_; }

 private:
  net::awaitable<void> accept_loop();

  net::io_context& control_;
  std::vector<std::unique_ptr<Worker>>& workers_;
  ProxyState& state_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::size_t next_worker_ = 0;
};

// Opens a listening acceptor on `address` (SO_REUSEADDR, not REUSEPORT: a second Ficus on the same
// port must fail loudly). Returns "" or an error naming the address.
std::string open_acceptor(tcp::acceptor& acceptor, const config::HostPort& address);

}  // namespace ficus::proxy
