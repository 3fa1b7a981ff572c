// RequestState: what one request in flight needs besides its connection: what it learned
// (RequestContext), its parsers, the message being relayed, the head texts and its error answer.
//
// These are not coroutine locals: GCC gives every local and temporary of a coroutine its own
// slot, and frames over 1 KiB missed Asio's frame recycler and took glibc's slow path twice per
// request (bench/RESULTS.md). Nor are they connection members: an idle keep-alive connection would
// hold ~2 KiB it does not use. Each worker keeps a free list instead, so a request takes one
// without allocating and an idle connection holds none.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "proxy/asio.h"
#include "proxy/body_relay.h"
#include "proxy/request_context.h"

namespace ficus::proxy {

struct RequestState {
  using RequestParser = http::request_parser<SpanBody>;
  using ResponseParser = http::response_parser<SpanBody>;

  // An error answer a step decided on; the session sends it once the request's steps are done.
  struct ErrorReply {
    http::status status;
    std::string message;
    bool keep_alive = false;
  };

  RequestContext ctx;
  std::optional<ErrorReply> error_reply;
  std::optional<RequestParser> request_parser;
  std::optional<ResponseParser> response_parser;
  Relay relay;
  // Head texts of the request going up and of the response going down; their capacity is reused.
  std::string upstream_head;
  std::string client_head;
};

// One worker's free list of RequestStates (worker thread only).
class RequestStatePool {
 public:
  std::unique_ptr<RequestState> take() {
    if (free_.empty()) return std::make_unique<RequestState>();
    auto state = std::move(free_.back());
    free_.pop_back();
    return state;
  }

  // Parsers are dropped here (their header fields are heap nodes); strings keep their capacity.
  // More than kMaxFree at once are freed: a burst of concurrency leaves no lasting memory.
  void give_back(std::unique_ptr<RequestState> state) {
    if (!state || free_.size() >= kMaxFree) return;
    state->request_parser.reset();
    state->response_parser.reset();
    state->error_reply.reset();
    free_.push_back(std::move(state));
  }

 private:
  static constexpr std::size_t kMaxFree = 256;
  std::vector<std::unique_ptr<RequestState>> free_;
};

}  // namespace ficus::proxy
