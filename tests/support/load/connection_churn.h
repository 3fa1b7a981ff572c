// Opens TCP connections to a server and drops them at once, `count` times, the way port scanners,
// health checkers and crashed clients do: a quarter close cleanly, a quarter send half a request
// line and close, half reset (SO_LINGER 0) so no TIME_WAIT piles up on the client side.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ficus::testing {

struct ChurnResult {
  std::size_t opened = 0;
  std::size_t connect_failures = 0;
  double seconds = 0;
};

// Blocking; run it on its own thread to overlap with other load.
ChurnResult open_and_drop_connections(std::uint16_t port, std::size_t count);

}  // namespace ficus::testing
