// serve_connection: the coroutine that serves one accepted TestUpstream connection: reads each
// request, records it in `state.log`, and answers with the behaviour its path selects (see
// test_upstream.h for the list). Returns when the connection is closed.
//
//   co_spawn(socket.get_executor(), serve_connection(std::move(socket), state), detached);
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "tests/support/upstream/upstream_state.h"

namespace ficus::testing {

boost::asio::awaitable<void> serve_connection(boost::asio::ip::tcp::socket socket,
                                              UpstreamState& state);

}  // namespace ficus::testing
