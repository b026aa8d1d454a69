#pragma once

#include <atomic>
#include <cstdint>

namespace swarmop::clients {

//! The bookkeeping of the counting client decorators: reads (GET) and writes passed through.
class CallCounter {
 public:
  std::uint64_t reads() const { return reads_; }
  std::uint64_t writes() const { return writes_; }

 protected:
  template <class T>
  T read(T result) {
    ++reads_;
    return result;
  }
  template <class T>
  T write(T result) {
    ++writes_;
    return result;
  }

 private:
  std::atomic<std::uint64_t> reads_{0};
  std::atomic<std::uint64_t> writes_{0};
};

}  // namespace swarmop::clients
