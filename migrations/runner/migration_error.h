// The one exception type `ficus migrate` throws for bad input or a failed database step. Its
// message is a full sentence that names the file, line or statement and says what to do; the CLI
// prints it as is. Errors abort the whole command, so an exception (not a result<T>) keeps every
// caller free of plumbing.
//
//   throw MigrationError(fmt::format("{}:{}: unknown directive ...", path, line));
#pragma once

#include <stdexcept>
#include <string>

namespace ficus::migrations {

class MigrationError : public std::runtime_error {
 public:
  explicit MigrationError(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace ficus::migrations
