#include "tests/support/load/load_generator.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ficus::testing {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

constexpr auto use_nothrow = net::as_tuple(net::use_awaitable);

// Error bodies are small JSON; anything longer is cut so a run of failures cannot eat memory.
constexpr std::size_t kKeptBodyBytes = 512;

}  // namespace

struct LoadGenerator::Impl {
  explicit Impl(LoadOptions o) : options(std::move(o)), per_connection(options.connections) {}

  net::awaitable<void> run_connection(unsigned index);

  void record(std::vector<LoadSample>& samples, LoadSample sample) {
    samples.push_back(std::move(sample));
    completed.fetch_add(1, std::memory_order_relaxed);
  }

  LoadOptions options;
  net::io_context context;
  std::vector<std::thread> threads;
  // One vector per connection: each is touched only by its connection's coroutine (on its strand)
  // until stop() has joined the threads, so recording takes no lock.
  std::vector<std::vector<LoadSample>> per_connection;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> completed{0};
  LoadClock::time_point started_at{}, stopped_at{};
  bool running = false;
};

net::awaitable<void> LoadGenerator::Impl::run_connection(unsigned index) {
  auto executor = co_await net::this_coro::executor;
  beast::tcp_stream stream(executor);
  net::steady_timer pace(executor);
  beast::flat_buffer buffer;
  const tcp::endpoint endpoint(net::ip::address_v4::loopback(), options.port);
  bool connected = false;
  auto next_send = LoadClock::now();
  auto& samples = per_connection[index];
  for (std::uint64_t sequence = 0; !stopping.load(std::memory_order_relaxed); ++sequence) {
    if (options.interval.count() > 0) {
      pace.expires_at(next_send);
      co_await pace.async_wait(use_nothrow);
      next_send = std::max(next_send + options.interval, LoadClock::now());
      if (stopping.load(std::memory_order_relaxed)) break;
    }
    LoadSample sample;
    sample.connection = index;
    sample.sequence = sequence;
    if (!connected) {
      stream.expires_after(options.timeout);
      auto [ec] = co_await stream.async_connect(endpoint, use_nothrow);
      if (ec) {
        sample.sent = sample.received = LoadClock::now();
        sample.error = "connect: " + ec.message();
        record(samples, std::move(sample));
        stream.close();
        pace.expires_after(std::chrono::milliseconds(10));  // do not spin on a refused port
        co_await pace.async_wait(use_nothrow);
        continue;
      }
      stream.socket().set_option(tcp::no_delay(true), ec);
      connected = true;
    }
    const auto& method = options.methods[index % options.methods.size()];
    http::request<http::string_body> request;
    request.method_string(method);
    request.target(options.target(index, sequence));
    request.version(11);
    request.set(http::field::host, "localhost");
    for (const auto& [name, value] : options.headers) request.set(name, value);
    if (method == "POST" || method == "PUT") request.body() = options.body;
    request.prepare_payload();
    http::response<http::string_body> response;
    sample.sent = LoadClock::now();
    stream.expires_after(options.timeout);
    auto [write_ec, written] = co_await http::async_write(stream, request, use_nothrow);
    error_code ec = write_ec;
    if (!ec) {
      auto [read_ec, read] = co_await http::async_read(stream, buffer, response, use_nothrow);
      ec = read_ec;
    }
    sample.received = LoadClock::now();
    if (ec) {
      sample.error = (write_ec ? "write: " : "read: ") + ec.message();
      stream.close();
      buffer.clear();
      connected = false;
    } else {
      sample.status = response.result_int();
      sample.ficus_target = std::string(response["X-Ficus-Target"]);
      sample.upstream_name = std::string(response["X-Upstream-Name"]);
      if (sample.status < 200 || sample.status >= 300) {
        sample.body = response.body().substr(0, kKeptBodyBytes);
      }
      if (!response.keep_alive()) {
        stream.close();
        buffer.clear();
        connected = false;
      }
    }
    record(samples, std::move(sample));
  }
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

LoadGenerator::LoadGenerator(LoadOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

LoadGenerator::~LoadGenerator() {
  stop();
}

void LoadGenerator::start() {
  impl_->started_at = LoadClock::now();
  for (unsigned i = 0; i < impl_->options.connections; ++i) {
    net::co_spawn(net::make_strand(impl_->context), impl_->run_connection(i), net::detached);
  }
  for (unsigned i = 0; i < std::max(1u, impl_->options.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->context.run(); });
  }
  impl_->running = true;
}

std::vector<LoadSample> LoadGenerator::stop() {
  if (!impl_->running) return {};
  impl_->stopping.store(true);
  for (auto& thread : impl_->threads) thread.join();  // each client ends after its current request
  impl_->threads.clear();
  impl_->running = false;
  impl_->stopped_at = LoadClock::now();
  std::vector<LoadSample> all;
  for (auto& samples : impl_->per_connection) {
    std::move(samples.begin(), samples.end(), std::back_inserter(all));
    samples.clear();
  }
  std::sort(all.begin(), all.end(),
            [](const LoadSample& a, const LoadSample& b) { return a.sent < b.sent; });
  return all;
}

std::uint64_t LoadGenerator::completed() const {
  return impl_->completed.load(std::memory_order_relaxed);
}

std::chrono::duration<double> LoadGenerator::elapsed() const {
  auto end = impl_->running ? LoadClock::now() : impl_->stopped_at;
  return end - impl_->started_at;
}

double latency_percentile_ms(const std::vector<LoadSample>& samples, double p) {
  if (samples.empty()) return 0;
  std::vector<double> ms;
  ms.reserve(samples.size());
  for (const auto& sample : samples) ms.push_back(sample.latency().count() / 1000.0);
  std::sort(ms.begin(), ms.end());
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(ms.size())));
  return ms[std::clamp<std::size_t>(rank, 1, ms.size()) - 1];
}

LoadSummary summarize(const std::vector<LoadSample>& samples, std::chrono::duration<double> run) {
  LoadSummary summary;
  summary.requests = samples.size();
  for (const auto& sample : samples) {
    if (sample.status < 200 || sample.status >= 300) ++summary.failed;
  }
  summary.seconds = run.count();
  summary.requests_per_second = summary.seconds > 0 ? summary.requests / summary.seconds : 0;
  summary.p50_ms = latency_percentile_ms(samples, 50);
  summary.p99_ms = latency_percentile_ms(samples, 99);
  summary.max_ms = latency_percentile_ms(samples, 100);
  return summary;
}

}  // namespace ficus::testing
