// allocations_on_this_thread: how many times this thread has called global operator new.
//
// The config_tests binary replaces operator new/delete (allocation_counter.cpp) so tests can prove
// a hot path such as RouteTable::match never allocates:
//
//   const auto before = ficus::testing::allocations_on_this_thread();
//   table->match("api.example.com", "/orders/1");
//   EXPECT_EQ(ficus::testing::allocations_on_this_thread(), before);
#pragma once

#include <cstddef>

namespace ficus::testing {

std::size_t allocations_on_this_thread();

}  // namespace ficus::testing
