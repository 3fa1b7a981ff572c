// Short names for the Boost.Asio / Beast types every proxy file uses, and the completion token that
// turns errors into return values: handlers never throw, each step checks its error_code first.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ficus::proxy {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using boost::system::error_code;

// co_await op(..., use_nothrow) yields std::tuple<error_code, ...> instead of throwing. A deferred
// operation is awaited as it is; use_awaitable would wrap each one in a coroutine frame of its own
// (an allocation and a resumption more per I/O operation; bench/RESULTS.md).
inline constexpr auto use_nothrow = net::as_tuple(net::deferred);

}  // namespace ficus::proxy
