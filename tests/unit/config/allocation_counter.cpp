// Replaces the global allocation functions with malloc/free plus a per-thread count. Every
// unaligned form is replaced, new and delete together, so ASan sees matching pairs.
#include "tests/unit/config/allocation_counter.h"

#include <cstdlib>
#include <new>

namespace {

thread_local std::size_t allocation_count = 0;

void* counted_allocation(std::size_t size) {
  ++allocation_count;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}

}  // namespace

namespace ficus::testing {

std::size_t allocations_on_this_thread() {
  return allocation_count;
}

}  // namespace ficus::testing

void* operator new(std::size_t size) {
  return counted_allocation(size);
}
void* operator new[](std::size_t size) {
  return counted_allocation(size);
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete[](void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, std::size_t) noexcept {
  std::free(memory);
}
