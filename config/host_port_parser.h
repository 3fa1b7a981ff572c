// parse_host_port: turns "127.0.0.1:8080", "[::1]:8080" or "localhost:9001" into a HostPort.
//
// Used for every listen address and upstream endpoint in the config, and by anything else that
// takes an address on the command line. The port is required (1..65535); IPv6 literals must be in
// brackets. On failure the error is a sentence to append after the JSON path.
//
//   auto parsed = ficus::config::parse_host_port("[::1]:8080");
//   if (parsed) use(parsed->host, parsed->port);   // "::1", 8080
//   else        report(parsed.error().message);    // "port 99999 is out of range 1..65535 in ..."
#pragma once

#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "config/proxy_config.h"

namespace ficus::config {

// Why a text is not a usable "host:port"; the message completes "PATH: ..." in config errors.
struct AddressError {
  std::string message;
};
// Found by ADL so that result::value() on a failed parse throws std::invalid_argument(message).
[[noreturn]] void throw_exception_from_error(const AddressError& error,
                                             const boost::source_location& location);

boost::system::result<HostPort, AddressError> parse_host_port(std::string_view text);

// True for 127.0.0.0/8, ::1 and the name "localhost": addresses other machines cannot reach.
bool is_loopback(const HostPort& address);

}  // namespace ficus::config
