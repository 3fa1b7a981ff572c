// Snapshot<T> under concurrent readers and a writer. Meant for the TSan build as much as for the
// normal one: a reader must always get one whole published value, never a torn or freed one.
#include "config/snapshot.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace ficus {
namespace {

// Two copies of the generation: a reader seeing them differ saw a value being built.
struct Versioned {
  std::uint64_t generation = 0;
  std::vector<std::uint64_t> copies;
};

std::shared_ptr<const Versioned> make_version(std::uint64_t generation) {
  return std::make_shared<const Versioned>(
      Versioned{generation, std::vector<std::uint64_t>(64, generation)});
}

TEST(Snapshot, ReadersSeeWholeValuesInPublicationOrderWhileAWriterStores) {
  constexpr std::uint64_t kStores = 5000;
  Snapshot<Versioned> snapshot(make_version(0));
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::atomic<int> went_back{0};

  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      std::uint64_t last = 0;
      while (!done.load(std::memory_order_acquire)) {
        auto value = snapshot.load();
        for (auto copy : value->copies) torn += copy != value->generation ? 1 : 0;
        went_back += value->generation < last ? 1 : 0;
        last = value->generation;
      }
    });
  }
  for (std::uint64_t g = 1; g <= kStores; ++g) EXPECT_EQ(snapshot.store(make_version(g)), g);
  done.store(true, std::memory_order_release);
  for (auto& reader : readers) reader.join();

  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(went_back.load(), 0);
  EXPECT_EQ(snapshot.generation(), kStores);
  EXPECT_EQ(snapshot.load()->generation, kStores);
}

TEST(Snapshot, AValueLoadedBeforeAStoreStaysValidAfterIt) {
  Snapshot<Versioned> snapshot(make_version(1));
  auto held = snapshot.load();
  snapshot.store(make_version(2));
  EXPECT_EQ(held->generation, 1u);  // still alive: the reader owns it
  EXPECT_EQ(held->copies.size(), 64u);
  EXPECT_EQ(snapshot.load()->generation, 2u);
}

TEST(LocalSnapshot, FollowsEveryStoreAndKeepsAHeldVersionAlive) {
  Snapshot<Versioned> snapshot(make_version(1));
  LocalSnapshot<Versioned> local(snapshot);
  auto held = local.get();  // what a request in flight keeps
  EXPECT_EQ(held->generation, 1u);
  EXPECT_EQ(local.get().get(), held.get());  // nothing stored: the same value, not reloaded
  snapshot.store(make_version(2));
  EXPECT_EQ(local.get()->generation, 2u);
  EXPECT_EQ(held->generation, 1u);  // the old version lives while it is held
  EXPECT_EQ(held->copies.size(), 64u);
  snapshot.store(make_version(3));
  snapshot.store(make_version(4));
  EXPECT_EQ(local.get()->generation, 4u);
}

// Each reader thread has its own LocalSnapshot, as each proxy worker does.
TEST(LocalSnapshot, ReadersOnTheirOwnViewsSeeWholeValuesInOrderWhileAWriterStores) {
  Snapshot<Versioned> snapshot(make_version(0));
  constexpr std::uint64_t kStores = 2000;
  std::atomic<bool> failed{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      LocalSnapshot<Versioned> local(snapshot);
      std::uint64_t last = 0;
      while (last < kStores) {
        auto value = local.get();
        for (auto copy : value->copies) {
          if (copy != value->generation) failed = true;
        }
        if (value->generation < last) failed = true;
        last = value->generation;
      }
    });
  }
  for (std::uint64_t g = 1; g <= kStores; ++g) snapshot.store(make_version(g));
  for (auto& reader : readers) reader.join();
  EXPECT_FALSE(failed);
}

}  // namespace
}  // namespace ficus
