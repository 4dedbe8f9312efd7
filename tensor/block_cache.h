// Tensor memory: 64-byte-aligned blocks, and a per-thread cache of freed ones.
//
// A training step allocates the same sizes batch after batch (every op's output, every
// gradient), and malloc/free of blocks this large was ~4% of a U-Net epoch (plus the page
// faults of memory handed back to the system and taken again). So a freed block is kept, by
// its exact size, for the next allocation of that size on the same thread, up to
// kCachedBytesPerThread; beyond that it is freed. Under AddressSanitizer nothing is cached,
// so that a use after free is still caught.
#pragma once

#include <cstddef>
#include <new>

namespace convgrad {

inline constexpr std::size_t kCachedBytesPerThread = std::size_t{64} << 20;  // a training step uses a few MB

// A block of at least `bytes` (64-byte aligned), from the cache if one of that size is there;
// nullptr when out of memory.
void* allocate_block(std::size_t bytes);
// Gives back a block allocate_block(bytes) returned.
void release_block(void* block, std::size_t bytes);

// The same blocks behind a standard allocator, for a std::vector made afresh every batch
// (max-pool's argmax: 50 KB, which malloc would otherwise take and consolidate each time).
template <typename T>
struct BlockAllocator {
  using value_type = T;
  BlockAllocator() = default;
  template <typename U>
  BlockAllocator(const BlockAllocator<U>&) {}
  T* allocate(std::size_t n) {
    void* block = allocate_block(n * sizeof(T));
    if (block == nullptr) throw std::bad_alloc();
    return static_cast<T*>(block);
  }
  void deallocate(T* block, std::size_t n) { release_block(block, n * sizeof(T)); }
  friend bool operator==(const BlockAllocator&, const BlockAllocator&) { return true; }
  friend bool operator!=(const BlockAllocator&, const BlockAllocator&) { return false; }
};

}  // namespace convgrad
