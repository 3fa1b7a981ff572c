// UpstreamState: what a TestUpstream shares with its connection sessions (name, request log,
// connection counters). Owned by TestUpstream; outlives every session because stop() destroys the
// event loop, and with it every session, before the state goes.
//
//   UpstreamState state("legacy");
//   co_spawn(executor, serve_connection(std::move(socket), state), detached);
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <utility>

#include "tests/support/upstream/request_log.h"

namespace ficus::testing {

struct UpstreamState {
  explicit UpstreamState(std::string upstream_name) : name(std::move(upstream_name)) {}

  const std::string name;
  RequestLog log;
  std::atomic<std::size_t> connections_accepted{0};
  std::atomic<std::size_t> open_connections{0};
  // Off in the standalone binary: under benchmark load the log would grow without bound.
  std::atomic<bool> recording{true};
};

}  // namespace ficus::testing
