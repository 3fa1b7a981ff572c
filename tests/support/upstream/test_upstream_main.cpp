// ficus-test-upstream: runs one TestUpstream as its own process, for scripts/demo and
// bench/compare.
//   ficus-test-upstream --name legacy --listen 127.0.0.1:9001 [--threads 2]
// Prints "listening on HOST:PORT" once connections are accepted; exits 0 on SIGINT or SIGTERM.
#include <csignal>
#include <exception>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "tests/support/upstream/test_upstream.h"

int main(int argc, char** argv) {
  CLI::App app{"Scripted HTTP/1.1 upstream for Ficus tests, demo and benchmarks"};
  std::string name;
  std::string listen;
  unsigned threads = 1;
  app.add_option("--name", name, "Name sent back in X-Upstream-Name and in JSON answers")
      ->required();
  app.add_option("--listen", listen, "IP:PORT to listen on (port 0: any free port)")->required();
  app.add_option("--threads", threads, "Event-loop threads")->check(CLI::Range(1u, 256u));
  CLI11_PARSE(app, argc, argv);

  // Block the stop signals before any server thread exists, so only sigwait() below sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    ficus::testing::TestUpstream upstream(name, listen, threads);
    upstream.set_recording(false);  // nobody can read the log out of this process
    upstream.start();
    std::cout << "listening on " << upstream.address() << std::endl;
    int received = 0;
    sigwait(&stop_signals, &received);
    upstream.stop();
  } catch (const std::exception& error) {
    std::cerr << "ficus-test-upstream: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
