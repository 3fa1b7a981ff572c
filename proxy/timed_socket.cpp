#include "proxy/timed_socket.h"

namespace ficus::proxy {

struct TimedSocket::Watch {
  Watch(const Executor& executor, TimedSocket* socket) : timer(executor), owner(socket) {}
  net::basic_waitable_timer<clock, net::wait_traits<clock>, Executor> timer;
  TimedSocket* owner;  // null once the socket is gone; a completion still queued then does nothing
  bool waiting = false;
  clock::time_point armed_at;
  // Which wait is current: re-arming cancels the old wait, but a completion already queued
  // cannot be cancelled and must not act for the new one.
  unsigned generation = 0;
};

TimedSocket::TimedSocket(Socket socket) : socket_(std::move(socket)) {}

TimedSocket::TimedSocket(const Executor& executor) : socket_(executor) {}

TimedSocket::~TimedSocket() {
  if (watch_) {
    watch_->owner = nullptr;
    watch_->timer.cancel();
  }
}

void TimedSocket::start_operation() {
  ++pending_;
  if (deadline_ == clock::time_point::max()) return;
  if (!watch_) watch_ = std::make_shared<Watch>(socket_.get_executor(), this);
  // A timer that fires before the deadline costs one more wait; one that fires after it would cut
  // the operation late.
  if (!watch_->waiting || deadline_ < watch_->armed_at) arm(deadline_);
}

void TimedSocket::end_operation(error_code& ec) {
  --pending_;
  if (timed_out_) ec = beast::error::timeout;
}

void TimedSocket::arm(clock::time_point at) {
  watch_->timer.expires_at(at);
  watch_->armed_at = at;
  watch_->waiting = true;
  unsigned generation = ++watch_->generation;
  watch_->timer.async_wait(
      [watch = watch_, generation](const error_code& ec) { on_timer(watch, generation, ec); });
}

void TimedSocket::on_timer(const std::shared_ptr<Watch>& watch, unsigned generation,
                           const error_code& ec) {
  if (generation != watch->generation) return;
  watch->waiting = false;
  TimedSocket* self = watch->owner;
  if (ec || self == nullptr) return;
  // Nothing pending: nothing to cut now; the next operation arms the timer again (and fails at
  // once if its deadline has already passed).
  if (self->pending_ == 0 || self->deadline_ == clock::time_point::max()) return;
  if (clock::now() < self->deadline_) {
    self->arm(self->deadline_);  // the deadline moved later while the timer waited
    return;
  }
  self->timed_out_ = true;
  error_code ignored;
  self->socket_.close(ignored);  // pending operations complete with operation_aborted
}

}  // namespace ficus::proxy
