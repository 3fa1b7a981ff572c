// Replaces the global allocation functions with malloc/free plus a per-thread count. Every
// unaligned form is replaced, nothrow ones included (std::stable_sort uses them), new and delete
// together, so ASan, which supplies its own, never sees its new paired with our delete. The aligned
// forms stay ASan's (or the library's) on both sides.
#include "tests/unit/config/allocation_counter.h"

#include <cstdlib>
#include <new>

namespace {

thread_local std::size_t allocation_count = 0;

void* counted_allocation(std::size_t size) noexcept {
  ++allocation_count;
  return std::malloc(size == 0 ? 1 : size);
}

void* counted_allocation_or_throw(std::size_t size) {
  if (void* memory = counted_allocation(size)) return memory;
  throw std::bad_alloc();
}

}  // namespace

namespace ficus::testing {

std::size_t allocations_on_this_thread() {
  return allocation_count;
}

}  // namespace ficus::testing

void* operator new(std::size_t size) {
  return counted_allocation_or_throw(size);
}
void* operator new[](std::size_t size) {
  return counted_allocation_or_throw(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted_allocation(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
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
void operator delete(void* memory, const std::nothrow_t&) noexcept {
  std::free(memory);
}
void operator delete[](void* memory, const std::nothrow_t&) noexcept {
  std::free(memory);
}
