#include "migrations/runner/sql_tokens.h"

#include <pg_query.h>

#include <cstdint>

#include "migrations/runner/migration_error.h"

namespace ficus::migrations {
namespace {

// pg_query_scan returns a protobuf ScanResult. Debian ships no protobuf-c headers for it, and the
// message is tiny (varints and one repeated sub-message), so it is decoded here by hand.
class ProtoReader {
 public:
  ProtoReader(const std::uint8_t* data, std::size_t size) : p_(data), end_(data + size) {}
  bool done() const { return p_ >= end_; }
  std::uint64_t varint() {
    std::uint64_t value = 0;
    for (int shift = 0; p_ < end_ && shift < 64; shift += 7) {
      std::uint8_t byte = *p_++;
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return value;
    }
    throw MigrationError("pg_query_scan returned a malformed protobuf");
  }
  ProtoReader sub_message() {
    auto length = static_cast<std::size_t>(varint());
    if (length > static_cast<std::size_t>(end_ - p_))
      throw MigrationError("pg_query_scan returned a malformed protobuf");
    ProtoReader sub(p_, length);
    p_ += length;
    return sub;
  }
  void skip(std::uint64_t wire_type) {
    if (wire_type == 0) {
      varint();
    } else if (wire_type == 2) {
      sub_message();
    } else if (wire_type == 5) {
      p_ += 4;
    } else if (wire_type == 1) {
      p_ += 8;
    } else {
      throw MigrationError("pg_query_scan returned a malformed protobuf");
    }
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

}  // namespace

std::vector<SqlToken> scan_tokens(const std::string& sql) {
  PgQueryScanResult result = pg_query_scan(sql.c_str());
  if (result.error) {
    std::string message = result.error->message;
    pg_query_free_scan_result(result);
    throw MigrationError("cannot scan statement: " + message);
  }
  std::vector<SqlToken> tokens;
  ProtoReader reader(reinterpret_cast<const std::uint8_t*>(result.pbuf.data), result.pbuf.len);
  int depth = 0;
  while (!reader.done()) {
    std::uint64_t tag = reader.varint();
    if ((tag >> 3) != 2 || (tag & 7) != 2) {
      reader.skip(tag & 7);
      continue;
    }
    ProtoReader token_reader = reader.sub_message();
    SqlToken token;
    while (!token_reader.done()) {
      std::uint64_t field_tag = token_reader.varint();
      std::uint64_t field = field_tag >> 3;
      if ((field_tag & 7) != 0) {
        token_reader.skip(field_tag & 7);
        continue;
      }
      std::uint64_t value = token_reader.varint();
      if (field == 1) token.start = static_cast<std::size_t>(value);
      if (field == 2) token.end = static_cast<std::size_t>(value);
      if (field == 4) token.kind = static_cast<int>(value);
    }
    if (token.kind == SqlToken::kCloseParen) --depth;
    token.depth = depth;
    if (token.kind == SqlToken::kOpenParen) ++depth;
    tokens.push_back(token);
  }
  pg_query_free_scan_result(result);
  return tokens;
}

}  // namespace ficus::migrations
