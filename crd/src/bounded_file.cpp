#include "swarmop/model/bounded_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace swarmop::model {

namespace {

std::string errno_text(int error) {
  return std::generic_category().message(error);
}

//! What a non-regular file is, for a person: the path they gave may be a link, so this says
//! what it resolved to.
std::string not_regular(mode_t mode) {
  const char* what = S_ISDIR(mode)    ? "a directory"
                     : S_ISFIFO(mode) ? "a FIFO (named pipe)"
                     : S_ISCHR(mode)  ? "a character device"
                     : S_ISBLK(mode)  ? "a block device"
                     : S_ISSOCK(mode) ? "a socket"
                                      : nullptr;
  return what == nullptr ? "is not a regular file"
                         : std::string("is ") + what + ", not a regular file";
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string describe_size(std::size_t bytes) {
  constexpr std::size_t kKiB = 1024;
  constexpr std::size_t kMiB = kKiB * kKiB;
  if (bytes >= kMiB && bytes % kMiB == 0) {
    return std::to_string(bytes / kMiB) + " MiB";
  }
  if (bytes >= kKiB && bytes % kKiB == 0) {
    return std::to_string(bytes / kKiB) + " KiB";
  }
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

FileRead read_bounded_file(const std::string& path, std::size_t max_bytes) {
  FileRead out;
  // stat before open: opening a device can have effects of its own (a tape rewinds, a watchdog
  // arms), so what is not a regular file is refused unopened.
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    out.failure = "cannot open: " + errno_text(errno);
    return out;
  }
  if (!S_ISREG(info.st_mode)) {
    out.failure = not_regular(info.st_mode);
    return out;
  }
  // O_NONBLOCK: if a FIFO took the file's place since the stat, opening it must not wait for a
  // writer (fstat below then refuses it). On a regular file the flag changes nothing.
  const Descriptor fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (fd.get() < 0) {
    out.failure = "cannot open: " + errno_text(errno);
    return out;
  }
  if (::fstat(fd.get(), &info) != 0) {
    out.failure = "cannot read: " + errno_text(errno);
    return out;
  }
  if (!S_ISREG(info.st_mode)) {
    out.failure = not_regular(info.st_mode);
    return out;
  }
  out.permissions = static_cast<unsigned>(info.st_mode & 07777);
  // One byte past the limit tells an oversized file without reading the rest of it; the size
  // stat gave is not trusted (the file may grow while it is read, /proc files say 0).
  const std::size_t want = max_bytes + 1;
  constexpr std::size_t kChunk = 64 * 1024;
  std::string bytes;
  while (bytes.size() < want) {
    const std::size_t have = bytes.size();
    bytes.resize(std::min(want, have + kChunk));
    const ssize_t got = ::read(fd.get(), bytes.data() + have, bytes.size() - have);
    if (got < 0) {
      const int error = errno;
      bytes.resize(have);
      if (error == EINTR) {
        continue;
      }
      out.failure = "cannot read: " + errno_text(error);
      return out;
    }
    bytes.resize(have + static_cast<std::size_t>(got));
    if (got == 0) {
      break;
    }
  }
  if (bytes.size() > max_bytes) {
    out.failure = "is larger than " + describe_size(max_bytes);
    return out;
  }
  out.bytes = std::move(bytes);
  return out;
}

}  // namespace swarmop::model
