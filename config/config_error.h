// ConfigError: one problem found in a configuration file, phrased so the reader can fix it.
//
// Every error names where it is (file, plus line/column for syntax errors or a JSON path such as
// `routes[0].new` for everything else) and says what to do. Loading collects all of them, so one
// run of `ficus check` shows every mistake in the file, not only the first.
//
//   ConfigError e{"ficus.json", "routes[0].new", "unknown upstream \"orders-v3\" (known: legacy)"};
//   std::cerr << e.to_string();  // ficus.json: routes[0].new: unknown upstream "orders-v3" (known:
//   legacy)
#pragma once

#include <cstddef>
#include <string>

namespace ficus::config {

struct ConfigError {
  std::string file;        // as given to the loader
  std::string path;        // JSON path ("routes[0].match.host"); empty for file-level problems
  std::string message;     // what is wrong and what to do about it
  std::size_t line = 0;    // 1-based; only syntax errors know it (0 = unknown)
  std::size_t column = 0;  // 1-based; only with `line`

  // "FILE: PATH: MESSAGE", or "FILE:LINE:COLUMN: MESSAGE" for syntax errors (the form editors and
  // terminals turn into a link). Empty parts are left out with their separator.
  std::string to_string() const;
};

}  // namespace ficus::config
