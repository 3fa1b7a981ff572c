// The JSON error responses Ficus itself produces (as opposed to relaying an upstream's):
//   {"error": "upstream timed out", "route": "orders", "target": "new"}
#pragma once

#include <string_view>

#include "proxy/asio.h"

namespace ficus::proxy {

http::response<http::string_body> make_error_reply(http::status status, std::string_view error,
                                                   std::string_view route, std::string_view target,
                                                   unsigned version, bool keep_alive);

}  // namespace ficus::proxy
