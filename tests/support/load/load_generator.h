// LoadGenerator: keep-alive HTTP/1.1 clients on loopback that record every request they make, so
// a reliability test can check each response (status, which target served it, when it was sent and
// answered) instead of trusting an aggregate. wrk reports totals only; these tests need per-request
// evidence, e.g. "this response came from the target the flag named while it was in flight".
//
//   LoadGenerator load({.port = proxy.port(), .connections = 8,
//                       .target = [](unsigned, std::uint64_t) { return std::string("/orders"); }});
//   load.start();
//   ... reload, kill, restart things ...
//   std::vector<LoadSample> samples = load.stop();
//   LoadSummary summary = summarize(samples, load.elapsed());
//
// Each connection sends its next request when the previous response is complete (closed loop), or
// at a fixed pace (`interval`), which keeps latency figures meaningful on a busy machine. A failed
// request (connect error, reset, timeout, unparsable response) is recorded with status 0 and the
// connection is reopened.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ficus::testing {

using LoadClock = std::chrono::steady_clock;

struct LoadSample {
  LoadClock::time_point sent;      // just before the first byte was written
  LoadClock::time_point received;  // when the whole response (or the failure) was seen
  unsigned connection = 0;         // index of the client connection
  std::uint64_t sequence = 0;      // per connection, from 0
  unsigned status = 0;             // 0: no response (see `error`)
  std::string error;
  std::string ficus_target;   // X-Ficus-Target ("old"/"new"), empty when absent
  std::string upstream_name;  // X-Upstream-Name, set by TestUpstream: who really answered
  std::string body;           // kept only for non-2xx responses (error details)

  std::chrono::microseconds latency() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(received - sent);
  }
  bool in_flight_at(LoadClock::time_point t) const { return sent <= t && t <= received; }
};

struct LoadOptions {
  std::uint16_t port = 0;
  unsigned connections = 4;
  unsigned threads = 1;  // threads running the clients' event loop
  // Request target for connection `c`'s request number `n`.
  std::function<std::string(unsigned c, std::uint64_t n)> target = [](unsigned, std::uint64_t) {
    return std::string("/");
  };
  std::vector<std::pair<std::string, std::string>> headers = {};  // added to every request
  // Connection `c` uses methods[c % size]; POST and PUT send `body` (Content-Length).
  std::vector<std::string> methods = {"GET"};
  std::string body = "load";
  std::chrono::milliseconds timeout{5000};  // per request
  // Zero: send the next request as soon as the previous one is answered. Otherwise each connection
  // starts a request every `interval` (later if the previous one is still in flight).
  std::chrono::microseconds interval{0};
};

class LoadGenerator {
 public:
  explicit LoadGenerator(LoadOptions options);
  ~LoadGenerator();  // stop()s
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  void start();
  // Lets every request in flight finish (or time out), joins the threads and returns all samples,
  // ordered by send time. Idempotent: a second call returns an empty vector.
  std::vector<LoadSample> stop();
  // Responses and failures recorded so far (any thread).
  std::uint64_t completed() const;
  // Time from start() to stop() (or to now while running).
  std::chrono::duration<double> elapsed() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

struct LoadSummary {
  std::uint64_t requests = 0;
  std::uint64_t failed = 0;  // status 0 or not 2xx
  double seconds = 0;
  double requests_per_second = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

// `seconds` is the duration of the run the samples came from.
LoadSummary summarize(const std::vector<LoadSample>& samples, std::chrono::duration<double> run);

// The p-th percentile (0..100) of the samples' latencies in milliseconds (nearest rank).
double latency_percentile_ms(const std::vector<LoadSample>& samples, double p);

}  // namespace ficus::testing
