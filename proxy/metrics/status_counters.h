// StatusCounters: request counts keyed by (method index, status code), written by one worker and
// read by the scrape at any time.
//
// A route sees a handful of (method, code) pairs, so a short array scanned linearly beats a hash
// map and needs no lock: the writer fills an entry, then publishes it by bumping `used` (release).
// When a block is full the writer chains another; nothing is ever dropped or merged.
//
//   StatusCounters c;
//   c.add(method_index("GET"), 200);                       // owner thread only
//   c.for_each([](std::size_t method, unsigned code, std::uint64_t n) { ... });  // any thread
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace ficus::proxy::metrics {

class StatusCounters {
 public:
  StatusCounters() = default;
  StatusCounters(const StatusCounters&) = delete;
  StatusCounters& operator=(const StatusCounters&) = delete;
  ~StatusCounters();

  // Owner thread only. Codes above 999 are counted as 0 (HTTP has three-digit codes only).
  void add(std::size_t method, unsigned code);

  // Any thread. Calls visit(method, code, count) once per pair seen so far.
  template <typename F>
  void for_each(F&& visit) const {
    for (const Block* block = &first_; block != nullptr;
         block = block->next.load(std::memory_order_acquire)) {
      const std::uint32_t used = block->used.load(std::memory_order_acquire);
      for (std::uint32_t i = 0; i < used; ++i) {
        const std::uint32_t key = block->entries[i].key.load(std::memory_order_relaxed);
        visit(std::size_t{key >> 16}, unsigned{key & 0xffffu},
              block->entries[i].count.load(std::memory_order_relaxed));
      }
    }
  }

 private:
  struct Entry {
    std::atomic<std::uint32_t> key{0};  // method << 16 | code
    std::atomic<std::uint64_t> count{0};
  };
  struct Block {
    std::array<Entry, 12> entries;
    std::atomic<std::uint32_t> used{0};
    std::atomic<Block*> next{nullptr};
  };
  Block first_;
};

}  // namespace ficus::proxy::metrics
