// Counts operator new calls on the current thread (allocation_counter.cpp replaces the global
// operator new/delete for the whole test binary), so tests can prove a path never allocates.
//
//   std::size_t n = ficus::testing::allocations_during([&] { evaluate(...); });
#pragma once

#include <cstddef>
#include <functional>

namespace ficus::testing {

std::size_t allocations_during(const std::function<void()>& work);

}  // namespace ficus::testing
