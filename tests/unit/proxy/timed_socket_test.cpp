// TimedSocket's deadline over real loopback sockets: cut at the deadline, never early when the
// deadline moved later, at once when the operation starts after it, never without one.
#include "proxy/timed_socket.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <thread>

namespace ficus::proxy {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A connected pair on 127.0.0.1: `peer` writes when a test says so, `timed` is under test.
class TimedSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(io_, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    peer_.connect(acceptor.local_endpoint());
    timed_.emplace(acceptor.accept(io_));
  }

  // Writes one byte from the peer after `delay`.
  void peer_writes_after(Clock::duration delay) {
    auto timer = std::make_shared<net::steady_timer>(io_, delay);
    timer->async_wait([this, timer](const error_code&) {
      static constexpr char kByte = 'x';
      error_code ignored;
      net::write(peer_, net::buffer(&kByte, 1), ignored);
    });
  }

  struct ReadResult {
    error_code ec;
    std::size_t bytes = 0;
    Clock::duration took{};
  };

  // Starts one read on the timed socket and runs the loop until it completes.
  ReadResult read_once() {
    std::optional<ReadResult> result;
    auto start = Clock::now();
    timed_->async_read_some(net::buffer(buffer_), [&](error_code ec, std::size_t n) {
      result = ReadResult{ec, n, Clock::now() - start};
    });
    io_.restart();
    while (!result && io_.run_one_for(5s) > 0) {
    }
    EXPECT_TRUE(result.has_value()) << "the read never completed";
    return result.value_or(ReadResult{});
  }

  net::io_context io_;
  Socket peer_{io_};
  std::optional<TimedSocket> timed_;
  char buffer_[16];
};

TEST_F(TimedSocketTest, ReadPendingAtTheDeadlineFailsWithTimeoutAndClosesTheSocket) {
  timed_->expires_after(100ms);
  auto read = read_once();
  EXPECT_EQ(read.ec, beast::error::timeout);
  EXPECT_GE(read.took, 90ms);
  EXPECT_LT(read.took, 2s);
  EXPECT_FALSE(timed_->socket().is_open());
}

TEST_F(TimedSocketTest, DeadlineMovedLaterIsNotCutAtTheEarlierOne) {
  timed_->expires_after(100ms);
  peer_writes_after(20ms);
  ASSERT_FALSE(read_once().ec);
  // The timer still waits for the first deadline (100 ms); the new one is later.
  timed_->expires_after(400ms);
  peer_writes_after(250ms);
  auto read = read_once();
  EXPECT_FALSE(read.ec) << read.ec.message();
  EXPECT_EQ(read.bytes, 1u);
  EXPECT_GE(read.took, 200ms);
}

TEST_F(TimedSocketTest, DeadlineMovedEarlierCutsAtTheEarlierOne) {
  timed_->expires_after(10s);
  peer_writes_after(10ms);
  ASSERT_FALSE(read_once().ec);
  timed_->expires_after(100ms);
  auto read = read_once();
  EXPECT_EQ(read.ec, beast::error::timeout);
  EXPECT_LT(read.took, 2s);
}

TEST_F(TimedSocketTest, OperationStartedAfterTheDeadlineFailsAtOnce) {
  timed_->expires_after(20ms);
  std::this_thread::sleep_for(60ms);
  peer_writes_after(1s);  // data that would come later must not rescue it
  auto read = read_once();
  EXPECT_EQ(read.ec, beast::error::timeout);
  EXPECT_LT(read.took, 500ms);
}

TEST_F(TimedSocketTest, WithoutADeadlineAReadWaitsAsLongAsItTakes) {
  timed_->expires_after(50ms);
  timed_->expires_never();
  peer_writes_after(300ms);
  auto read = read_once();
  EXPECT_FALSE(read.ec) << read.ec.message();
  EXPECT_GE(read.took, 250ms);
}

TEST_F(TimedSocketTest, DestroyedWhileItsTimerIsArmedLeavesNothingBehind) {
  timed_->expires_after(50ms);
  peer_writes_after(5ms);
  ASSERT_FALSE(read_once().ec);
  timed_.reset();  // the timer still waits for 50 ms; its completion must find no socket
  io_.restart();
  io_.run_for(200ms);
  SUCCEED();  // ASan and the sanitizer CI stage check that nothing touched freed memory
}

}  // namespace
}  // namespace ficus::proxy
