#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace swarmop::watch {

//! Watches the directory holding a file with inotify, so that every way a file gets replaced
//! is seen: written in place, renamed over (git checkout, editors' temp files), or a symlink
//! swap (git-sync swaps a link to the checkout; when the file's directory is itself a symlink
//! its parent is watched too, and the watches follow the link when its target changes).
//! Events settle: a burst of writes gives one call, `settle` after the last event.
class FileWatch {
 public:
  FileWatch(boost::asio::io_context& loop, std::string file, std::chrono::milliseconds settle,
            std::function<void()> on_change);
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  //! Starts watching; false (with `error()` set) when inotify is not available.
  bool start();
  void stop();
  const std::string& error() const { return error_; }

 private:
  void arm_watches();
  void read_events();
  void settle_then_notify();

  std::string file_;
  std::chrono::milliseconds settle_;
  std::function<void()> on_change_;
  boost::asio::posix::stream_descriptor stream_;
  boost::asio::steady_timer timer_;
  std::vector<int> watches_;
  std::string watched_target_;  //!< where the file's directory resolved to when armed
  std::array<char, 8192> buffer_{};
  std::string error_;
  bool stopped_ = false;
};

}  // namespace swarmop::watch
