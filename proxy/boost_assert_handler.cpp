// What BOOST_ASSERT does in debug and sanitizer builds (BOOST_ENABLE_ASSERT_DEBUG_HANDLER is set
// for every target; release builds define NDEBUG and compile the asserts out, so this never runs
// there).
//
// One assertion in Boost 1.81 is wrong and is let through: Beast's basic_parser::parse_chunk_header
// asserts `n >= 5` when it re-enters after the last chunk "0\r\n" arrived without its trailer, but
// a client that sends "0\r\n" and "\r\n" in separate packets legitimately brings it there with 4
// bytes, and the parse that follows is correct (it looks for the end of the trailer and asks for
// more). Upstream fixed the assert in boostorg/beast#2861 (Boost 1.86). Without this, a debug or
// sanitizer build of `ficus serve` aborts on such a client; our request-path fuzzer found it.
// Every other assertion still prints and aborts, as assert() would.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace boost {

namespace {

bool is_known_false_assertion(std::string_view expr, std::string_view file) {
  return expr == "n >= 5" && file.ends_with("boost/beast/http/impl/basic_parser.ipp");
}

}  // namespace

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file,
                          long line) {
  if (is_known_false_assertion(expr, file)) return;
  std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed%s%s\n", file, line, function, expr,
               msg != nullptr ? ": " : ".", msg != nullptr ? msg : "");
  std::abort();
}

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
  assertion_failed_msg(expr, nullptr, function, file, line);
}

}  // namespace boost
