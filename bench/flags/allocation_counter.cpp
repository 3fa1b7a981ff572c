// Replaces the global operator new for flags_bench so each benchmark can report allocations
// per evaluation. Kept in its own file so GCC never sees it inlined beside the standard ones.
#include <cstddef>
#include <cstdlib>
#include <new>

namespace ficus::bench {
std::size_t allocations = 0;
}

void* operator new(std::size_t size) {
  ++ficus::bench::allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
