// Sources: RFC 9112 (HTTP/1.1 message syntax), RFC 9110 §7.6.1 (Connection), and the public
// request-smuggling research: Linhart et al. "HTTP Request Smuggling" (2005), Kettle "HTTP Desync
// Attacks" (2019) and "HTTP/2: The Sequel is Always Worse" (2021), and the TE.TE obfuscation lists
// that followed. Requests target "/" (the catch-all route) unless the target itself is the test.
#include "tests/integration/proxy/hostile_cases.h"

#include <cstdio>
#include <utility>

namespace ficus::testing {
namespace {

using namespace std::string_literals;  // "..."s keeps NUL bytes

HostileCase reject(std::string name, std::string why, std::string bytes) {
  return {std::move(name), std::move(why), std::move(bytes), {}, true};
}

HostileCase forward(std::string name, std::string why, std::string bytes,
                    std::vector<ForwardedRequest> forwarded) {
  return {std::move(name), std::move(why), std::move(bytes), std::move(forwarded), false};
}

HostileCase forward_then_reject(std::string name, std::string why, std::string bytes,
                                std::vector<ForwardedRequest> forwarded) {
  return {std::move(name), std::move(why), std::move(bytes), std::move(forwarded), true};
}

// "POST / HTTP/1.1", Host, the given extra header lines (each ending in CRLF), a blank line, body.
std::string post(const std::string& headers, const std::string& body) {
  return "POST / HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n" + body;
}

std::string hex(std::size_t n) {
  char text[32];
  std::snprintf(text, sizeof text, "%zx", n);
  return text;
}

const std::string kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

std::vector<HostileCase> build() {
  std::vector<HostileCase> cases;
  auto add = [&](HostileCase c) { cases.push_back(std::move(c)); };

  // --- CL.TE and TE.CL: both framings in one message (RFC 9112 §6.1: MAY reject; a proxy must
  // not forward both).
  add(reject("ClTe", "CL.TE: front end reads Content-Length, back end chunked",
             post("Content-Length: 6\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\nG")));
  add(reject("TeCl", "TE.CL: front end reads chunked, back end Content-Length",
             post("Transfer-Encoding: chunked\r\nContent-Length: 4\r\n",
                  "5c\r\nGPOST / HTTP/1.1\r\nContent-Length: 15\r\n\r\nx=1\r\n0\r\n\r\n")));
  add(reject("ClTeSmuggledRequest", "CL.TE carrying a whole second request",
             post("Content-Length: " + std::to_string(5 + kSmuggled.size()) +
                      "\r\nTransfer-Encoding: chunked\r\n",
                  "0\r\n\r\n" + kSmuggled)));
  add(reject("ClZeroTeChunked", "Content-Length: 0 beside chunked",
             post("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")));

  // --- TE.TE: Transfer-Encoding spelled so that one parser sees chunked and another does not.
  add(reject("TeXchunked", "unknown coding 'xchunked'",
             post("Transfer-Encoding: xchunked\r\n", "0\r\n\r\n")));
  add(reject("TeChunkedIdentity", "chunked not last (RFC 9112 §6.3: then length unknown)",
             post("Transfer-Encoding: chunked, identity\r\n", "0\r\n\r\n")));
  add(reject("TeIdentityChunked", "'identity' was removed from HTTP; only plain chunked passes",
             post("Transfer-Encoding: identity, chunked\r\n", "0\r\n\r\n")));
  add(reject("TeGzipChunked", "codings the proxy does not apply",
             post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n")));
  add(reject("TeChunkedGzip", "chunked not last",
             post("Transfer-Encoding: chunked, gzip\r\n", "")));
  add(reject("TeDuplicateChunked", "two Transfer-Encoding fields",
             post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")));
  add(reject("TeChunkedThenIdentity", "second Transfer-Encoding field hides the first",
             post("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", "0\r\n\r\n")));
  add(reject("TeIdentityThenChunked", "first Transfer-Encoding field is not chunked",
             post("Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n")));
  add(reject("TeSpaceBeforeColon", "RFC 9112 §5.1: whitespace before the colon MUST be 400",
             post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n")));
  add(reject("TeTabBeforeColon", "RFC 9112 §5.1", post("Transfer-Encoding\t: chunked\r\n", "")));
  add(reject("TeQuoted", "quoted coding is not the token chunked",
             post("Transfer-Encoding: \"chunked\"\r\n", "0\r\n\r\n")));
  add(reject("TeVerticalTab", "control byte before the value",
             post("Transfer-Encoding: \vchunked\r\n", "0\r\n\r\n")));
  add(reject("TeFormFeed", "control byte before the value",
             post("Transfer-Encoding: \fchunked\r\n", "0\r\n\r\n")));
  add(reject("TeNulInValue", "NUL inside the value",
             post("Transfer-Encoding: chun\0ked\r\n"s, "")));
  add(reject("TeUnderscoreNameWithCl",
             "'Transfer_Encoding' is not Transfer-Encoding but some servers fold '_' to '-': the "
             "body then ends at Content-Length for one and at the last chunk for the other",
             post("Content-Length: 5\r\nTransfer_Encoding: chunked\r\n", "0\r\n\r\n")));
  add(forward("TeTabBeforeValue", "tab is optional whitespace (RFC 9112 §5.1): plain chunked",
              post("Transfer-Encoding:\tchunked\r\n", "5\r\nhello\r\n0\r\n\r\n"),
              {{"/", "hello"}}));
  add(forward("TeTrailingSpace", "trailing optional whitespace is not part of the value",
              post("Transfer-Encoding: chunked \r\n", "5\r\nhello\r\n0\r\n\r\n"),
              {{"/", "hello"}}));
  add(forward("TeUpperCase", "coding names are case-insensitive (RFC 9112 §7)",
              post("Transfer-Encoding: CHUNKED\r\n", "5\r\nhello\r\n0\r\n\r\n"), {{"/", "hello"}}));
  add(forward("TeObsFold",
              "obs-fold (RFC 9112 §5.2): replaced by a space; forwarded with the framing the "
              "proxy itself used",
              post("Transfer-Encoding:\r\n chunked\r\n", "5\r\nhello\r\n0\r\n\r\n"),
              {{"/", "hello"}}));
  add(reject("Http10Chunked", "RFC 9112 §6.1: chunked in HTTP/1.0 is a smuggling vector",
             "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
  add(reject("Http10ChunkedWithCl", "HTTP/1.0 with both framings",
             "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: "
             "5\r\n\r\nhello"));

  // --- Connection naming a framing field: removing "hop-by-hop" Content-Length or
  // Transfer-Encoding would leave the body unframed on the way up.
  add(forward("ConnectionListsContentLength",
              "Connection: Content-Length must not strip the body's framing",
              post("Connection: Content-Length\r\nContent-Length: " +
                       std::to_string(kSmuggled.size()) + "\r\n",
                   kSmuggled),
              {{"/", kSmuggled}}));
  add(forward("ConnectionListsTransferEncoding",
              "Connection: Transfer-Encoding must not strip the chunked framing",
              post("Connection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n",
                   hex(kSmuggled.size()) + "\r\n" + kSmuggled + "\r\n0\r\n\r\n"),
              {{"/", kSmuggled}}));
  add(forward("ConnectionListsHost", "Connection: Host must not strip Host",
              "GET / HTTP/1.1\r\nHost: x\r\nConnection: Host\r\n\r\n", {{"/", ""}}));

  // --- Content-Length.
  add(reject("ClListConflicting", "RFC 9112 §6.3: differing list values MUST be rejected",
             post("Content-Length: 5, 6\r\n", "hello!")));
  add(reject("ClDuplicateConflicting", "two Content-Length fields that differ",
             post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!")));
  add(forward("ClListSame", "identical list values: one Content-Length goes up",
              post("Content-Length: 5, 5\r\n", "hello"), {{"/", "hello"}}));
  add(forward("ClDuplicateSame", "identical repeated fields: one Content-Length goes up",
              post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"), {{"/", "hello"}}));
  add(reject("ClNegative", "Content-Length is 1*DIGIT", post("Content-Length: -1\r\n", "")));
  add(reject("ClPlusSign", "Content-Length is 1*DIGIT", post("Content-Length: +5\r\n", "hello")));
  add(reject("ClHex", "Content-Length is decimal", post("Content-Length: 0x5\r\n", "hello")));
  add(reject("ClSpaceInside", "Content-Length is 1*DIGIT", post("Content-Length: 5 5\r\n", "")));
  add(reject("ClEmpty", "empty Content-Length", post("Content-Length: \r\n", "")));
  add(reject("ClOverflow", "value past 2^64",
             post("Content-Length: 99999999999999999999999\r\n", "hello")));
  add(forward("ClLeadingZeros", "leading zeros are still 1*DIGIT",
              post("Content-Length: 005\r\n", "hello"), {{"/", "hello"}}));
  add(forward("GetWithBody", "a GET body is framed like any other",
              "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", {{"/", "hello"}}));

  // --- Chunked bodies.
  add(reject("ChunkSizeOverflow", "chunk size past 2^64 wraps in naive parsers",
             post("Transfer-Encoding: chunked\r\n", "ffffffffffffffff1\r\nx\r\n0\r\n\r\n")));
  add(reject("ChunkSizeNegative", "chunk-size is 1*HEXDIG",
             post("Transfer-Encoding: chunked\r\n", "-5\r\nhello\r\n0\r\n\r\n")));
  add(reject("ChunkSize0xPrefix", "chunk-size is 1*HEXDIG",
             post("Transfer-Encoding: chunked\r\n", "0x5\r\nhello\r\n0\r\n\r\n")));
  add(reject("ChunkSizeLeadingSpace", "chunk-size is 1*HEXDIG",
             post("Transfer-Encoding: chunked\r\n", " 5\r\nhello\r\n0\r\n\r\n")));
  add(reject("ChunkDataLongerThanSize", "data must be followed by CRLF",
             post("Transfer-Encoding: chunked\r\n", "3\r\nhello\r\n0\r\n\r\n")));
  add(reject("ChunkMissingCrlf", "data must be followed by CRLF",
             post("Transfer-Encoding: chunked\r\n", "5\r\nhelloX0\r\n\r\n")));
  add(reject("ChunkBareLfAfterData", "RFC 9112 §7.1: chunk data ends in CRLF",
             post("Transfer-Encoding: chunked\r\n", "5\r\nhello\n0\r\n\r\n")));
  add(reject("ChunkSizeBareLf", "chunk-size line ends in CRLF",
             post("Transfer-Encoding: chunked\r\n", "5\nhello\r\n0\r\n\r\n")));
  add(reject("ChunkExtensionBareLf", "bare LF inside a chunk extension",
             post("Transfer-Encoding: chunked\r\n", "5;a\nb\r\nhello\r\n0\r\n\r\n")));
  add(reject("ChunkExtensionBadToken", "chunk-ext-name is a token",
             post("Transfer-Encoding: chunked\r\n", "5;@@\r\nhello\r\n0\r\n\r\n")));
  add(forward("ChunkExtensionLong",
              "64 KiB of chunk extensions on one chunk: extensions are not forwarded, the body is",
              post("Transfer-Encoding: chunked\r\n",
                   "5;a=" + std::string(64 * 1024, 'b') + "\r\nhello\r\n0\r\n\r\n"),
              {{"/", "hello"}}));
  add(reject("ChunkExtensionHuge",
             "256 KiB of chunk extensions: more than the 128 KiB a chunk-size line may take while "
             "buffered (kMaxPendingFramingBytes), so a client cannot grow the buffer without end",
             post("Transfer-Encoding: chunked\r\n",
                  "5;a=" + std::string(256 * 1024, 'b') + "\r\nhello\r\n0\r\n\r\n")));
  add(reject("TrailerHuge", "a trailer section past the same bound",
             post("Transfer-Encoding: chunked\r\n",
                  "5\r\nhello\r\n0\r\nx-pad: " + std::string(256 * 1024, 'p') + "\r\n\r\n")));
  add(forward("ChunkExtensionValid", "extensions are allowed and dropped on re-chunking",
              post("Transfer-Encoding: chunked\r\n",
                   "5;name=value;q=\"quoted\"\r\nhello\r\n0;last\r\n\r\n"),
              {{"/", "hello"}}));
  add(forward("ChunkTrailer", "trailer fields after the last chunk",
              post("Transfer-Encoding: chunked\r\n", "5\r\nhello\r\n0\r\nX-Trailer: t\r\n\r\n"),
              {{"/", "hello"}}));
  add(forward("ChunkManySmall", "one byte per chunk",
              post("Transfer-Encoding: chunked\r\n",
                   "1\r\nh\r\n1\r\ne\r\n1\r\nl\r\n1\r\nl\r\n1\r\no\r\n0\r\n\r\n"),
              {{"/", "hello"}}));
  add(forward("ChunkHexUpperCase", "HEXDIG is case-insensitive",
              post("Transfer-Encoding: chunked\r\n", "A\r\n0123456789\r\n0\r\n\r\n"),
              {{"/", "0123456789"}}));

  // --- Line endings (RFC 9112 §2.2).
  add(reject("BareLfAfterRequestLine", "request line must end in CRLF",
             "GET / HTTP/1.1\nHost: x\r\n\r\n"));
  add(reject("BareLfEverywhere", "no CRLF at all: lenient parsers accept it, Ficus does not",
             "GET / HTTP/1.1\nHost: x\n\n"));
  add(reject("BareLfInsideHeader", "bare LF inside the field section",
             "GET / HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n"));
  add(reject("BareCrInRequestLine", "RFC 9112 §2.2: bare CR MUST be rejected or replaced",
             "GET / HTTP/1.1\rHost: x\r\n\r\n"));
  add(reject("BareCrInHeaderValue", "RFC 9112 §2.2", "GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n"));
  add(reject("LfCrLineEnding", "LF CR is not CRLF", "GET / HTTP/1.1\n\rHost: x\n\r\n\r"));

  // --- Control bytes in names, values and targets.
  add(reject("NulInHeaderValue", "NUL is not field-vchar",
             "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n"s));
  add(reject("NulInHeaderName", "NUL is not tchar",
             "GET / HTTP/1.1\r\nHost: x\r\nX-\0A: b\r\n\r\n"s));
  add(reject("ControlByteInValue", "0x01 is not field-vchar",
             "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x01z\r\n\r\n"));
  add(reject("DelInValue", "0x7F is not field-vchar",
             "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x7fz\r\n\r\n"));
  add(reject("NulInTarget", "NUL in the request-target", "GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n"s));
  add(reject("TabInTarget", "whitespace ends the request-target",
             "GET /a\tb HTTP/1.1\r\nHost: x\r\n\r\n"));
  add(reject("SpaceInHeaderName", "field-name is a token",
             "GET / HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n"));
  add(reject("EmptyHeaderName", "field-name is a token",
             "GET / HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n"));
  add(forward("ObsTextInValue", "obs-text (0x80-0xFF) is allowed in values",
              "GET / HTTP/1.1\r\nHost: x\r\nX-A: caf\xc3\xa9\r\n\r\n", {{"/", ""}}));

  // --- Host (RFC 9112 §3.2: exactly one in HTTP/1.1).
  add(reject("DuplicateHost", "two Host fields", "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n"));
  add(reject("DuplicateHostSameValue", "two Host fields, same value",
             "GET / HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n"));
  add(reject("MissingHost", "HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n"));
  add(reject("HostListValue", "a list is not a host", "GET / HTTP/1.1\r\nHost: x, y\r\n\r\n"));
  add(reject("HostWithSpace", "whitespace inside the host", "GET / HTTP/1.1\r\nHost: x y\r\n\r\n"));
  add(reject("HostWithPath", "a path is not a host", "GET / HTTP/1.1\r\nHost: x/y\r\n\r\n"));
  add(reject("Http10WithoutHost",
             "HTTP/1.0 may leave Host out, but the request would go up as HTTP/1.1 without one",
             "GET / HTTP/1.0\r\n\r\n"));

  // --- Whitespace and folding in the field section.
  add(reject("SpaceBeforeColon", "RFC 9112 §5.1: MUST be 400",
             "GET / HTTP/1.1\r\nHost : x\r\n\r\n"));
  add(reject("ContentLengthSpaceBeforeColon", "RFC 9112 §5.1",
             post("Content-Length : 5\r\n", "hello")));
  add(reject("WhitespaceBeforeFirstHeader",
             "RFC 9112 §2.2: a line starting with whitespace "
             "after the request line",
             "GET / HTTP/1.1\r\n Host: x\r\n\r\n"));
  add(forward("ObsFoldInValue", "RFC 9112 §5.2: obs-fold replaced by a space",
              "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", {{"/", ""}}));
  add(reject("ObsFoldInContentLength", "a folded Content-Length",
             post("Content-Length: 5\r\n 6\r\n", "hello!")));

  // --- Request line (RFC 9112 §3).
  add(reject("HugeRequestLine", "request line past max_header_bytes",
             "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  add(reject("HugeHeaderValue", "one field past max_header_bytes",
             "GET / HTTP/1.1\r\nHost: x\r\nX-A: " + std::string(20000, 'a') + "\r\n\r\n"));
  add(reject("ManySmallHeaders", "field section past max_header_bytes by count", [] {
    std::string head = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 2000; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
    return head + "\r\n";
  }()));
  add(reject("InvalidMethodChar", "method is a token", "G(ET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  add(reject("MethodWithNul", "method is a token", "GE\0T / HTTP/1.1\r\nHost: x\r\n\r\n"s));
  add(reject("EmptyMethod", "method is a token", " / HTTP/1.1\r\nHost: x\r\n\r\n"));
  add(reject("TwoSpacesAfterMethod", "exactly one SP between parts",
             "GET  / HTTP/1.1\r\nHost: x\r\n\r\n"));
  add(reject("TrailingSpaceAfterVersion", "nothing after the version",
             "GET / HTTP/1.1 \r\nHost: x\r\n\r\n"));
  add(reject("LowerCaseVersion", "HTTP-name is case-sensitive",
             "GET / http/1.1\r\nHost: x\r\n\r\n"));
  add(reject("Http09", "no version", "GET /\r\n\r\n"));
  add(reject("VersionTwoDigits", "HTTP-version is DIGIT.DIGIT",
             "GET / HTTP/1.10\r\nHost: x\r\n\r\n"));
  add(reject("Http2VersionOnHttp1", "RFC 9112 §2.3: major version 2 is not HTTP/1.x: 505",
             "GET / HTTP/2.0\r\nHost: x\r\n\r\n"));
  add(reject("PriPreface", "the HTTP/2 connection preface on an HTTP/1.1 port",
             "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
  add(forward("LowerCaseMethod", "methods are case-sensitive tokens: 'get' is passed on as is",
              "get / HTTP/1.1\r\nHost: x\r\n\r\n", {{"/", ""}}));
  add(forward("ExtensionMethod", "any token is a method", "PURGE / HTTP/1.1\r\nHost: x\r\n\r\n",
              {{"/", ""}}));
  add(reject("Http11MinorHigher", "HTTP/1.2 does not exist; Beast refuses unknown versions",
             "GET / HTTP/1.2\r\nHost: x\r\n\r\n"));
  add(reject("TargetWithoutSlash", "origin-form starts with '/'",
             "GET orders HTTP/1.1\r\nHost: x\r\n\r\n"));
  add(reject("AsteriskFormWithGet", "asterisk-form is only for OPTIONS",
             "GET * HTTP/1.1\r\nHost: x\r\n\r\n"));
  add(forward("AsteriskFormOptions",
              "OPTIONS * asks about the server as a whole: passed on as asterisk-form",
              "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", {{"*", ""}}));
  add(reject("AuthorityFormConnect", "CONNECT is not proxied",
             "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
  add(reject("AbsoluteFormOtherHost",
             "absolute-form naming another host than Host: the upstream would believe the "
             "target's authority (RFC 9112 §3.2.2) while Ficus routed on Host",
             "GET http://other.example/ HTTP/1.1\r\nHost: x\r\n\r\n"));
  add(reject("AbsoluteFormUnknownScheme", "only http and https targets",
             "GET ftp://x/ HTTP/1.1\r\nHost: x\r\n\r\n"));
  add(forward("AbsoluteFormSameHost", "absolute-form that agrees with Host goes up in origin-form",
              "GET http://x/path?q=1 HTTP/1.1\r\nHost: x\r\n\r\n", {{"/path?q=1", ""}}));
  add(forward("DotSegments", "dot segments are passed on, not resolved",
              "GET /a/../b HTTP/1.1\r\nHost: x\r\n\r\n", {{"/a/../b", ""}}));

  // --- Pipelining: valid requests are answered in order; nothing past a bad one is forwarded.
  add(forward("PipelinedGets", "three GETs in one write",
              "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
              "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n",
              {{"/1", ""}, {"/2", ""}, {"/3", ""}}));
  add(forward("PipelinedPostThenGet", "a body followed by the next request in the same write",
              "POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /2 HTTP/1.1\r\n"
              "Host: x\r\n\r\n",
              {{"/1", "hello"}, {"/2", ""}}));
  add(forward("PipelinedChunkedThenGet", "a chunked body followed by the next request",
              "POST /1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"
              "\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
              {{"/1", "hello"}, {"/2", ""}}));
  add(forward_then_reject("PipelinedBadInMiddle", "first served, second rejected, third dropped",
                          "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost : x\r\n\r\n"
                          "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n",
                          {{"/1", ""}}));
  add(forward_then_reject("BodyShorterThanClThenGarbage",
                          "bytes after a Content-Length body that are no request",
                          post("Content-Length: 5\r\n", "helloXXXX\r\n\r\n"), {{"/", "hello"}}));
  add(forward(
      "Http10KeepAlivePipelined", "HTTP/1.0 keep-alive then HTTP/1.1",
      "GET /1 HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\r\n\r\nGET /2 HTTP/1.1\r\nHost: "
      "x\r\n\r\n",
      {{"/1", ""}, {"/2", ""}}));
  add(forward("UpgradeIsStripped", "Upgrade is hop-by-hop: forwarded as a plain request",
              "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
              {{"/", ""}}));
  add(forward("ExpectContinue", "100-continue answered by the proxy, body forwarded",
              post("Content-Length: 5\r\nExpect: 100-continue\r\n", "hello"), {{"/", "hello"}}));
  return cases;
}

}  // namespace

const std::vector<HostileCase>& hostile_cases() {
  static const std::vector<HostileCase> cases = build();
  return cases;
}

}  // namespace ficus::testing
