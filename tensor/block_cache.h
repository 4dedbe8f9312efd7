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

namespace convgrad {

inline constexpr std::size_t kCachedBytesPerThread = std::size_t{64} << 20;  // a training step uses a few MB

// A block of at least `bytes` (64-byte aligned), from the cache if one of that size is there;
// nullptr when out of memory.
void* allocate_block(std::size_t bytes);
// Gives back a block allocate_block(bytes) returned.
void release_block(void* block, std::size_t bytes);

}  // namespace convgrad
