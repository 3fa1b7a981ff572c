// SHA-256 of a byte string as lowercase hex; the checksum stored per applied migration so that
// `verify` can tell when an applied file was edited afterwards.
//
//   std::string sum = sha256_hex(file_bytes);  // 64 hex characters
#pragma once

#include <string>
#include <string_view>

namespace ficus::migrations {

std::string sha256_hex(std::string_view bytes);

}  // namespace ficus::migrations
