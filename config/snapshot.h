// Snapshot<T>: one immutable value, replaced whole and read without a lock on the request path.
//
// Configuration and flag sets are built and validated off to the side, then published here. A
// reader takes a shared_ptr once per request and keeps using that version even if a reload
// publishes a new one meanwhile, so a reload never disturbs a request in flight.
//
//   Snapshot<RouteTable> routes{std::make_shared<const RouteTable>(...)};
//   std::shared_ptr<const RouteTable> table = routes.load();   // once per request
//   routes.store(std::make_shared<const RouteTable>(...));      // on reload
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>

// libstdc++'s atomic<shared_ptr> (GCC >= 12) guards its control block with a lock bit that
// ThreadSanitizer cannot see, so TSan reports a race inside it; TSan builds use the mutex instead.
#if defined(__cpp_lib_atomic_shared_ptr) && !defined(__SANITIZE_THREAD__)
#define FICUS_SNAPSHOT_USES_ATOMIC 1
#else
#define FICUS_SNAPSHOT_USES_ATOMIC 0
#endif

namespace ficus {

template <typename T>
class Snapshot {
 public:
  Snapshot() = default;
  explicit Snapshot(std::shared_ptr<const T> initial) : value_(std::move(initial)) {}
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  std::shared_ptr<const T> load() const {
#if FICUS_SNAPSHOT_USES_ATOMIC
    return value_.load(std::memory_order_acquire);
#else
    std::lock_guard lock(mutex_);
    return value_;
#endif
  }

  // Publishes a new value; returns the generation it got (1 for the first store).
  std::uint64_t store(std::shared_ptr<const T> next) {
#if FICUS_SNAPSHOT_USES_ATOMIC
    value_.store(std::move(next), std::memory_order_release);
#else
    {
      std::lock_guard lock(mutex_);
      value_ = std::move(next);
    }
#endif
    return generation_.fetch_add(1, std::memory_order_acq_rel) + 1;
  }

  // How many values have been stored since construction (the constructor's does not count).
  std::uint64_t generation() const {
    return generation_.load(std::memory_order_acquire);
  }

 private:
#if FICUS_SNAPSHOT_USES_ATOMIC
  // libstdc++ (GCC >= 12) has it; libc++ does not yet (llvm/llvm-project#99980).
  std::atomic<std::shared_ptr<const T>> value_;
#else
  mutable std::mutex mutex_;
  std::shared_ptr<const T> value_;
#endif
  std::atomic<std::uint64_t> generation_{0};
};

// One thread's view of a Snapshot, for the request path. get() costs one atomic load of the
// generation while nothing changed. What it hands out shares a control block owned by this view,
// not the Snapshot's: with every worker copying the one shared_ptr per request, its reference count
// and libstdc++'s lock bit were a cache line that bounced between the cores on each request. A
// request keeps its copy, and so its version, alive as before. Not thread-safe: one per thread.
template <typename T>
class LocalSnapshot {
 public:
  explicit LocalSnapshot(const Snapshot<T>& source) : source_(source) {}

  const std::shared_ptr<const T>& get() {
    // Generation first: a value stored after it is only newer, and refreshes once more next time.
    const std::uint64_t generation = source_.generation();
    if (!local_ || generation != generation_) {
      auto shared = std::make_shared<const std::shared_ptr<const T>>(source_.load());
      const T* value = shared->get();
      local_ = std::shared_ptr<const T>(std::move(shared), value);
      generation_ = generation;
    }
    return local_;
  }

 private:
  const Snapshot<T>& source_;
  std::shared_ptr<const T> local_;
  std::uint64_t generation_ = 0;
};

}  // namespace ficus
