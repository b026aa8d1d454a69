#include "watch/file_watch.hpp"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <cerrno>
#include <cstring>

namespace swarmop::watch {

namespace {

// No IN_MODIFY: it fires for every write() of a writer still in the middle of the file. The
// content is complete at IN_CLOSE_WRITE (written in place), IN_MOVED_TO (renamed over),
// IN_CREATE of a symlink, directory or FIFO (which need no writing), IN_DELETE / IN_MOVED_FROM
// (gone) and IN_ATTRIB (permissions). IN_DELETE_SELF / IN_MOVE_SELF: the directory itself went.
constexpr std::uint32_t kDirectoryEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM |
                                           IN_CREATE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF |
                                           IN_MOVE_SELF | IN_ONLYDIR;

std::filesystem::path directory_of(const std::string& file) {
  std::filesystem::path directory = std::filesystem::path(file).parent_path();
  return directory.empty() ? std::filesystem::path(".") : directory;
}

}  // namespace

FileWatch::FileWatch(boost::asio::io_context& loop, std::string file,
                     std::chrono::milliseconds settle, std::function<void()> on_change)
    : file_(std::move(file)),
      settle_(settle),
      on_change_(std::move(on_change)),
      stream_(loop),
      timer_(loop),
      retry_timer_(loop) {}

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
  ensure_armed();
  read_events();
  return true;
}

void FileWatch::drop_watches() {
  // Forgotten before removed: the IN_IGNORED each removal produces then matches no watch of
  // ours and is not taken for the directory going away.
  const auto dropped = std::move(watches_);
  watches_.clear();
  directory_watch_ = -1;
  watched_target_.clear();
  for (const auto& watch : dropped) {
    inotify_rm_watch(stream_.native_handle(), watch.descriptor);
  }
}

bool FileWatch::arm_watches() {
  namespace fs = std::filesystem;
  const fs::path directory = directory_of(file_);
  std::error_code ec;
  const std::string resolved = fs::canonical(directory, ec).string();
  struct stat info {};
  const bool exists = ::stat(directory.c_str(), &info) == 0;
  if (directory_watch_ >= 0 && exists && resolved == watched_target_ &&
      info.st_dev == watched_device_ && info.st_ino == watched_inode_) {
    return true;  // nothing moved: the watches in place still see the file's directory
  }
  drop_watches();
  watched_target_ = resolved;
  watched_device_ = exists ? info.st_dev : 0;
  watched_inode_ = exists ? info.st_ino : 0;
  std::vector<fs::path> targets{directory};
  if (fs::is_symlink(directory, ec)) {
    // A swapped link to the directory shows up only in the directory holding the link; the
    // watch on the directory itself must then follow the link's new target.
    targets.push_back(directory.has_parent_path() ? directory.parent_path() : fs::path("."));
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const int watch =
        inotify_add_watch(stream_.native_handle(), targets[i].c_str(), kDirectoryEvents);
    if (watch < 0) {
      error_ = "inotify_add_watch " + targets[i].string() + ": " + std::strerror(errno);
      continue;
    }
    watches_.push_back({watch, targets[i]});
    if (i == 0) {
      directory_watch_ = watch;
    }
  }
  return directory_watch_ >= 0;
}

void FileWatch::ensure_armed() {
  if (stopped_) {
    return;
  }
  if (arm_watches()) {
    if (lost_) {
      lost_ = false;
      if (on_notice_) {
        on_notice_(Notice::kRearmed, directory_of(file_).string());
      }
      settle_then_notify();  // whatever happened while nothing watched
    }
    return;
  }
  if (!lost_) {
    lost_ = true;
    if (on_notice_) {
      on_notice_(Notice::kLost, error_);
    }
  }
  schedule_retry();
}

void FileWatch::schedule_retry() {
  if (retry_pending_) {
    return;
  }
  retry_pending_ = true;
  retry_timer_.expires_after(retry_);
  retry_timer_.async_wait([this](const boost::system::error_code& error) {
    retry_pending_ = false;
    if (error || stopped_) {
      return;
    }
    ensure_armed();
  });
}

bool FileWatch::is_change(std::uint32_t mask, int descriptor, const char* name) const {
  if ((mask & IN_CREATE) != 0 && (mask & IN_ISDIR) == 0 && name != nullptr && *name != '\0') {
    // A new regular file is empty or being written: its content is complete at its
    // IN_CLOSE_WRITE (or IN_MOVED_TO). A symlink, FIFO or socket is complete when created, and
    // so is a hard link to an existing file (more than one link).
    for (const auto& watch : watches_) {
      if (watch.descriptor == descriptor) {
        struct stat info {};
        const auto entry = watch.directory / name;
        return ::lstat(entry.c_str(), &info) != 0 || !S_ISREG(info.st_mode) || info.st_nlink > 1;
      }
    }
  }
  // Which entry changed does not matter otherwise: the file is re-read and compared, so an
  // unrelated change in the directory costs one read.
  return true;
}

void FileWatch::read_events() {
  stream_.async_read_some(
      boost::asio::buffer(buffer_),
      [this](const boost::system::error_code& error, std::size_t size) {
        if (error || stopped_) {
          return;
        }
        bool changed = false;
        bool rearm = false;
        for (std::size_t at = 0; at + sizeof(inotify_event) <= size;) {
          inotify_event event;
          std::memcpy(&event, buffer_.data() + at, sizeof event);
          const char* name = event.len > 0 ? buffer_.data() + at + sizeof(inotify_event) : nullptr;
          at += sizeof(inotify_event) + event.len;
          if ((event.mask & IN_IGNORED) != 0) {
            // The kernel dropped a watch: its directory was deleted or its file system
            // unmounted. One we removed ourselves is no longer listed and means nothing.
            const auto found = std::find_if(watches_.begin(), watches_.end(), [&](const Watch& w) {
              return w.descriptor == event.wd;
            });
            if (found != watches_.end()) {
              if (found->descriptor == directory_watch_) {
                directory_watch_ = -1;
              }
              watches_.erase(found);
              rearm = true;
              changed = true;
            }
            continue;
          }
          if ((event.mask & (IN_DELETE_SELF | IN_MOVE_SELF)) != 0) {
            rearm = true;
          }
          changed = changed || is_change(event.mask, event.wd, name);
        }
        if (rearm) {
          ensure_armed();
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
    ensure_armed();
    on_change_();
  });
}

void FileWatch::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  timer_.cancel();
  retry_timer_.cancel();
  boost::system::error_code ignored;
  stream_.close(ignored);
}

}  // namespace swarmop::watch
