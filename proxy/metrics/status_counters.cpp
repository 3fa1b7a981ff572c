#include "proxy/metrics/status_counters.h"

#include <utility>

#include "proxy/metrics/published_list.h"

namespace ficus::proxy::metrics {

StatusCounters::~StatusCounters() {
  Block* block = first_.next.load(std::memory_order_acquire);
  while (block != nullptr) delete std::exchange(block, block->next.load(std::memory_order_acquire));
}

void StatusCounters::add(std::size_t method, unsigned code) {
  if (code > 999) code = 0;
  const auto key = static_cast<std::uint32_t>(method << 16 | code);
  Block* block = &first_;
  while (true) {
    // Only this thread writes `used`, so a relaxed read of our own value is exact.
    const std::uint32_t used = block->used.load(std::memory_order_relaxed);
    for (std::uint32_t i = 0; i < used; ++i) {
      Entry& entry = block->entries[i];
      if (entry.key.load(std::memory_order_relaxed) == key) {
        single_writer_add(entry.count, std::uint64_t{1});
        return;
      }
    }
    if (used < block->entries.size()) {
      block->entries[used].key.store(key, std::memory_order_relaxed);
      block->entries[used].count.store(1, std::memory_order_relaxed);
      block->used.store(used + 1, std::memory_order_release);  // publishes the entry
      return;
    }
    Block* next = block->next.load(std::memory_order_relaxed);
    if (next == nullptr) {
      next = new Block;
      block->next.store(next, std::memory_order_release);
    }
    block = next;
  }
}

}  // namespace ficus::proxy::metrics
