#include "watch/file_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace swarmop::watch {

namespace {

constexpr std::uint32_t kDirectoryEvents = IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO |
                                           IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB |
                                           IN_DELETE_SELF | IN_MOVE_SELF;

}  // namespace

FileWatch::FileWatch(boost::asio::io_context& loop, std::string file,
                     std::chrono::milliseconds settle, std::function<void()> on_change)
    : file_(std::move(file)),
      settle_(settle),
      on_change_(std::move(on_change)),
      stream_(loop),
      timer_(loop) {}

FileWatch::~FileWatch() {
  stop();
}

bool FileWatch::start() {
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    error_ = std::string("inotify_init1: ") + std::strerror(errno);
    return false;
  }
  stream_.assign(fd);
  arm_watches();
  if (watches_.empty()) {
    return false;
  }
  read_events();
  return true;
}

void FileWatch::arm_watches() {
  namespace fs = std::filesystem;
  fs::path directory = fs::path(file_).parent_path();
  if (directory.empty()) {
    directory = ".";
  }
  std::error_code ec;
  const std::string resolved = fs::canonical(directory, ec).string();
  if (!watches_.empty() && resolved == watched_target_) {
    return;  // nothing moved: the watches in place still see the file's directory
  }
  watched_target_ = resolved;
  const int fd = stream_.native_handle();
  for (const int watch : watches_) {
    inotify_rm_watch(fd, watch);
  }
  watches_.clear();
  std::vector<fs::path> targets{directory};
  if (fs::is_symlink(directory, ec)) {
    // A swapped link to the directory shows up only in the directory holding the link; the
    // watch on the directory itself must then follow the link's new target.
    targets.push_back(directory.has_parent_path() ? directory.parent_path() : fs::path("."));
  }
  for (const auto& target : targets) {
    const int watch = inotify_add_watch(fd, target.c_str(), kDirectoryEvents);
    if (watch < 0) {
      error_ = "inotify_add_watch " + target.string() + ": " + std::strerror(errno);
      continue;
    }
    watches_.push_back(watch);
  }
}

void FileWatch::read_events() {
  stream_.async_read_some(boost::asio::buffer(buffer_),
                          [this](const boost::system::error_code& error, std::size_t size) {
                            if (error || stopped_) {
                              return;
                            }
                            // Which entry changed does not matter: the file is re-read and
                            // compared, so an unrelated change in the directory costs one read.
                            // Only the IN_IGNORED that removing a watch produces is not a change.
                            bool changed = false;
                            for (std::size_t at = 0; at + sizeof(inotify_event) <= size;) {
                              inotify_event event;
                              std::memcpy(&event, buffer_.data() + at, sizeof event);
                              changed = changed || (event.mask & IN_IGNORED) == 0;
                              at += sizeof(inotify_event) + event.len;
                            }
                            if (changed) {
                              settle_then_notify();
                            }
                            read_events();
                          });
}

void FileWatch::settle_then_notify() {
  timer_.expires_after(settle_);
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopped_) {
      return;
    }
    arm_watches();
    on_change_();
  });
}

void FileWatch::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  timer_.cancel();
  boost::system::error_code ignored;
  stream_.close(ignored);
}

}  // namespace swarmop::watch
