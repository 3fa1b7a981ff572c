// PublishedList<T>: an append-only list that one thread writes and any thread may read.
//
// Each worker owns its metric cells. It creates a cell the first time it needs one and publishes it
// here; the scrape (admin thread) walks every worker's list without stopping anybody. Cells are
// never removed before the list dies, so a reader can keep a reference for the whole walk.
//
//   PublishedList<RouteCells> cells;                       // one per worker
//   RouteCells& mine = cells.emplace("orders");            // owner thread only
//   cells.for_each([](const RouteCells& c) { ... });       // any thread
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace ficus::proxy::metrics {

template <typename T>
class PublishedList {
 public:
  PublishedList() = default;
  PublishedList(const PublishedList&) = delete;
  PublishedList& operator=(const PublishedList&) = delete;
  ~PublishedList() {
    Node* node = head_.load(std::memory_order_acquire);
    while (node != nullptr) delete std::exchange(node, node->next);
  }

  // Owner thread only. The new element is fully built before readers can see it (release).
  template <typename... Args>
  T& emplace(Args&&... args) {
    auto* node = new Node(head_.load(std::memory_order_relaxed), std::forward<Args>(args)...);
    head_.store(node, std::memory_order_release);
    return node->value;
  }

  // Any thread: newest first.
  template <typename F>
  void for_each(F&& visit) const {
    for (const Node* node = head_.load(std::memory_order_acquire); node != nullptr;
         node = node->next) {
      visit(node->value);
    }
  }

 private:
  struct Node {
    template <typename... Args>
    explicit Node(Node* next_node, Args&&... args)
        : value(std::forward<Args>(args)...), next(next_node) {}
    T value;
    Node* next;
  };
  std::atomic<Node*> head_{nullptr};
};

// Adds to a counter that only the calling thread ever writes. A plain load + store is enough
// (no locked read-modify-write instruction), and readers still see a whole value.
template <typename Int>
inline void single_writer_add(std::atomic<Int>& counter, Int amount) {
  counter.store(counter.load(std::memory_order_relaxed) + amount, std::memory_order_relaxed);
}

}  // namespace ficus::proxy::metrics
