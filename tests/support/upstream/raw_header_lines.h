// raw_header_lines: the header fields of a raw HTTP/1.1 message head, in wire order and spelled as
// sent. Beast's parser regroups repeated names, so TestUpstream records from the raw bytes instead.
//
//   auto fields = raw_header_lines("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\na: 3\r\n\r\n");
//   // {{"A", "1"}, {"B", "2"}, {"a", "3"}}
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ficus::testing {

// Skips the start line; values lose surrounding spaces and tabs. Lines without ':' are ignored
// (the real parser rejects such heads anyway).
std::vector<std::pair<std::string, std::string>> raw_header_lines(std::string_view head);

}  // namespace ficus::testing
