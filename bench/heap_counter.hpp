#pragma once

#include <cstddef>

//! Heap use of this benchmark binary, counted by its own global operator new and delete
//! (heap_counter.cpp), so one call's peak memory can be read without an external profiler.
namespace swarmop::bench {

std::size_t heap_live_bytes();
//! The most held at once since the last reset_heap_peak().
std::size_t heap_peak_bytes();
void reset_heap_peak();

//! Bytes the call adds at its peak above what was held before it.
template <class F>
std::size_t peak_heap_growth(F&& call) {
  reset_heap_peak();
  const std::size_t before = heap_live_bytes();
  call();
  return heap_peak_bytes() - before;
}

}  // namespace swarmop::bench
