// allocate_block / release_block: aligned blocks; a released block is reused for the next
// allocation of the same size on the same thread (not under AddressSanitizer, which must see
// every block freed), never for another size.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <thread>

#include "tensor/block_cache.h"

using namespace convgrad;

TEST_CASE("blocks are 64-byte aligned and a freed one is reused for the same size only") {
  void* a = allocate_block(1000);
  REQUIRE(a != nullptr);
  CHECK(reinterpret_cast<std::uintptr_t>(a) % 64 == 0);
  std::memset(a, 0xab, 1000);
  release_block(a, 1000);
  void* other_size = allocate_block(5000);
  CHECK(other_size != a);
  void* same_size = allocate_block(1000);
#if defined(__SANITIZE_ADDRESS__)
  CHECK(same_size != nullptr);
#else
  CHECK(same_size == a);
#endif
  // Another thread has its own cache: it does not get this thread's block.
  release_block(same_size, 1000);
  void* from_thread = nullptr;
  std::thread([&from_thread] {
    from_thread = allocate_block(1000);
    release_block(from_thread, 1000);
  }).join();
  CHECK(from_thread != same_size);
  release_block(other_size, 5000);
  release_block(nullptr, 10);  // nothing to do
}
