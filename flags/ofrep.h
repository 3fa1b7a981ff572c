// OFREP (OpenFeature Remote Evaluation Protocol) over a FlagSet, independent of any HTTP server.
//
// The admin listener hands every request under /ofrep/ to handle_ofrep() and writes back the
// status, body (application/json) and headers it returns; authentication (401) stays with the
// listener. Endpoints, as in open-feature/protocol service/openapi.yaml:
//   POST /ofrep/v1/evaluate/flags/{key}  {"context": {...}}
//        200 {"key","value","reason","variant","metadata"} (no "value" when the code default
//            applies), 404 FLAG_NOT_FOUND, 400 {"key","errorCode","errorDetails"} otherwise
//   POST /ofrep/v1/evaluate/flags        {"context": {...}}
//        200 {"flags": [...], "metadata": {...}} with an ETag; 304 when If-None-Match matches
// Anything else: 404 (unknown path) or 405 (not POST), with {"errorDetails"} saying what to do.
//
//   auto reply = ficus::flags::handle_ofrep(*store.current(), store.generation(), "POST",
//                                           "/ofrep/v1/evaluate/flags/orders-cutover",
//                                           R"({"context": {"targetingKey": "u1"}})", "");
//   // reply.status == 200, reply.body == {"key":"orders-cutover","value":"old",...}
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ficus::flags {

class FlagSet;

struct OfrepReply {
  unsigned status = 200;
  std::string body;   // JSON; empty for 304
  std::string etag;   // bulk evaluation only (also on 304); empty otherwise
  std::string allow;  // with 405: the methods the path accepts ("POST")
};

// True for targets the OFREP handler answers (everything under /ofrep/).
bool is_ofrep_path(std::string_view target);

// `target` is the request target (path and optional query); `if_none_match` the raw header
// value or empty. `generation` (FlagStore::generation()) goes into the ETag.
OfrepReply handle_ofrep(const FlagSet& set, std::uint64_t generation, std::string_view method,
                        std::string_view target, std::string_view body,
                        std::string_view if_none_match);

}  // namespace ficus::flags
