#pragma once

#include <cstddef>
#include <string>

namespace swarmop::model {

//! A file a person named (the desired state, a credentials file, a snapshot), read whole.
struct FileRead {
  std::string bytes;         //!< the whole file, when `failure` is empty
  unsigned permissions = 0;  //!< its permission bits (st_mode & 07777), links followed
  //! Why it could not be read, without the file's name (callers put it in front, or in a
  //! diagnostic's file field): "is a directory, not a regular file", "cannot open: Permission
  //! denied", "is larger than 1 MiB". Empty when it was read.
  std::string failure;

  bool ok() const { return failure.empty(); }
};

//! Reads a regular file (symlinks followed) of at most `max_bytes`, without ever reading more
//! than one byte past the limit, blocking on a FIFO or opening a device: anything that is not a
//! regular file (a directory, a FIFO, a socket, /dev/zero behind a link) is refused by what it
//! is, before a byte is read. Never throws for a bad path.
FileRead read_bounded_file(const std::string& path, std::size_t max_bytes);

//! "1 MiB", "4 KiB", "100 bytes": a limit as people write it.
std::string describe_size(std::size_t bytes);

}  // namespace swarmop::model
