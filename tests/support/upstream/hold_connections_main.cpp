// ficus-hold-connections: opens N idle TCP connections to a server and keeps them open until
// SIGINT/SIGTERM, so bench/compare can measure a proxy's memory per idle client connection.
//   ficus-hold-connections --connect 127.0.0.1:8080 --count 1000
// Prints "holding N connections to HOST:PORT" once all are connected; exits 1 if any connect fails.
#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tests/support/upstream/listen_address.h"

int main(int argc, char** argv) {
  CLI::App app{"Hold idle TCP connections open (bench helper)"};
  std::string target;
  unsigned count = 1000;
  app.add_option("--connect", target, "IP:PORT to connect to")->required();
  app.add_option("--count", count, "How many connections to hold")->check(CLI::Range(1u, 60000u));
  CLI11_PARSE(app, argc, argv);

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto endpoint = ficus::testing::parse_listen_address(target);
  if (!endpoint) {
    std::cerr << "ficus-hold-connections: '" << target << "' is not IP:PORT\n";
    return 1;
  }
  boost::asio::io_context context;
  std::vector<boost::asio::ip::tcp::socket> sockets;
  sockets.reserve(count);
  for (unsigned i = 0; i < count; ++i) {
    boost::system::error_code ec;
    sockets.emplace_back(context).connect(*endpoint, ec);
    if (ec) {
      std::cerr << "ficus-hold-connections: connection " << i + 1 << " failed: " << ec.message()
                << "\n";
      return 1;
    }
  }
  std::cout << "holding " << sockets.size() << " connections to "
            << ficus::testing::format_address(*endpoint) << std::endl;
  int received = 0;
  sigwait(&stop_signals, &received);
  return 0;
}
