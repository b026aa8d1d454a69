#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>

namespace swarmop::clients {

//! The bookkeeping of the counting client decorators: reads (GET) and writes passed through,
//! and the calls that failed by HTTP status (0: no response came back).
class CallCounter {
 public:
  std::uint64_t reads() const { return reads_; }
  std::uint64_t writes() const { return writes_; }
  std::map<int, std::uint64_t> errors_by_status() const {
    std::lock_guard lock(mutex_);
    return errors_;
  }

 protected:
  template <class T>
  T read(T result) {
    ++reads_;
    count_error(result);
    return result;
  }
  template <class T>
  T write(T result) {
    ++writes_;
    count_error(result);
    return result;
  }

 private:
  template <class T>
  void count_error(const T& result) {
    if (!result) {
      std::lock_guard lock(mutex_);
      ++errors_[result.error().http_status];
    }
  }

  std::atomic<std::uint64_t> reads_{0};
  std::atomic<std::uint64_t> writes_{0};
  mutable std::mutex mutex_;
  std::map<int, std::uint64_t> errors_;
};

}  // namespace swarmop::clients
