#include "tensor/block_cache.h"

#include <cstdlib>
#include <unordered_map>
#include <vector>

namespace convgrad {

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCacheBlocks = false;
#else
constexpr bool kCacheBlocks = true;
#endif

// aligned_alloc needs a size that is a multiple of the alignment (and > 0).
std::size_t rounded_size(std::size_t bytes) { return ((bytes + 63) / 64) * 64 + 64; }

// Set when this thread's cache has been destroyed (at thread exit): blocks freed after that
// (a static tensor destroyed at program exit) go straight back to the system.
thread_local bool cache_destroyed = false;

struct BlockCache {
  std::unordered_map<std::size_t, std::vector<void*>> free_blocks;  // by rounded size
  std::size_t cached_bytes = 0;
  ~BlockCache() {
    for (auto& [size, blocks] : free_blocks)
      for (void* block : blocks) std::free(block);
    cache_destroyed = true;
  }
};
thread_local BlockCache cache;

}  // namespace

void* allocate_block(std::size_t bytes) {
  const std::size_t size = rounded_size(bytes);
  if (kCacheBlocks && !cache_destroyed) {
    auto it = cache.free_blocks.find(size);
    if (it != cache.free_blocks.end() && !it->second.empty()) {
      void* block = it->second.back();
      it->second.pop_back();
      cache.cached_bytes -= size;
      return block;
    }
  }
  return std::aligned_alloc(64, size);
}

void release_block(void* block, std::size_t bytes) {
  if (block == nullptr) return;
  const std::size_t size = rounded_size(bytes);
  if (kCacheBlocks && !cache_destroyed && cache.cached_bytes + size <= kCachedBytesPerThread) {
    cache.free_blocks[size].push_back(block);
    cache.cached_bytes += size;
    return;
  }
  std::free(block);
}

}  // namespace convgrad
