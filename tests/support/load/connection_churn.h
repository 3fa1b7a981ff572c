// Opens TCP connections to a server and drops them at once, `count` times, the way port scanners,
// health checkers and crashed clients do: a quarter close cleanly, a quarter send half a request
// line and close, half reset (SO_LINGER 0) so no TIME_WAIT piles up on the client side. With a
// `spread` the connections are paced evenly over it (a steady flood at count/spread per second)
// instead of as fast as one thread can go, which on a 2-core machine mostly measures how long the
// flooding thread keeps a core from everyone else.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace ficus::testing {

struct ChurnResult {
  std::size_t opened = 0;
  std::size_t connect_failures = 0;
  double seconds = 0;
};

// Blocking; run it on its own thread to overlap with other load.
ChurnResult open_and_drop_connections(std::uint16_t port, std::size_t count,
                                      std::chrono::milliseconds spread = {});

}  // namespace ficus::testing
