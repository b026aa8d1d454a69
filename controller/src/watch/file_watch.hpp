#pragma once

#include <sys/types.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace swarmop::watch {

//! Watches the directory holding a file with inotify, so that every way a file gets replaced
//! is seen: written in place (when the writer closes it), renamed over (git checkout, editors'
//! temp files), replaced by something else (a directory, a FIFO), or a symlink swap (git-sync
//! swaps a link to the checkout; when the file's directory is itself a symlink its parent is
//! watched too, and the watches follow the link when its target changes). Writes still in
//! progress (IN_MODIFY) are not reported: only a completed write is.
//! If the directory itself goes (deleted, moved away), the watch is put back as soon as it is
//! there again, retrying every `retry` meanwhile, and a change is reported then.
//! Events settle: a burst of events gives one call, `settle` after the last event.
class FileWatch {
 public:
  enum class Notice {
    kLost,     //!< the file's directory is gone: changes are not seen until it is back
    kRearmed,  //!< watching it again
  };
  using NoticeHandler = std::function<void(Notice, const std::string& detail)>;

  FileWatch(boost::asio::io_context& loop, std::string file, std::chrono::milliseconds settle,
            std::function<void()> on_change);
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  //! Told once when the watch is lost and once when it is back (for the log). Before start().
  void on_notice(NoticeHandler handler) { on_notice_ = std::move(handler); }
  //! How often to try again while the directory is missing. Before start().
  void set_retry(std::chrono::milliseconds retry) { retry_ = retry; }

  //! Starts watching; false (with `error()` set) when inotify is not available. A directory
  //! missing at the start is waited for as one that goes later.
  bool start();
  void stop();
  const std::string& error() const { return error_; }
  //! The file's directory is watched (false while it is missing).
  bool armed() const { return directory_watch_ >= 0; }

 private:
  struct Watch {
    int descriptor;
    std::filesystem::path directory;
  };

  bool arm_watches();
  void drop_watches();
  void ensure_armed();
  void schedule_retry();
  void read_events();
  //! True when the event may mean the file changed (see the .cpp for which do not).
  bool is_change(std::uint32_t mask, int descriptor, const char* name) const;
  void settle_then_notify();

  std::string file_;
  std::chrono::milliseconds settle_;
  std::chrono::milliseconds retry_{500};
  std::function<void()> on_change_;
  NoticeHandler on_notice_;
  boost::asio::posix::stream_descriptor stream_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer retry_timer_;
  std::vector<Watch> watches_;
  int directory_watch_ = -1;    //!< the watch on the file's directory itself; -1: none
  std::string watched_target_;  //!< where the file's directory resolved to when armed
  dev_t watched_device_ = 0;    //!< and its identity, to tell a directory recreated in place
  ino_t watched_inode_ = 0;
  std::array<char, 8192> buffer_{};
  std::string error_;
  bool lost_ = false;
  bool retry_pending_ = false;
  bool stopped_ = false;
};

}  // namespace swarmop::watch
