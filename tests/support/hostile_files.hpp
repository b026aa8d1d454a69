// What a person can put where a file is expected, for the tests of every reader of one: a
// scratch directory removed afterwards, and a way to run a read that must not block on a FIFO
// without the test hanging when it does.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <random>
#include <string>

namespace swarmop::testing {

//! A fresh directory under the system's temporary directory, removed with everything in it.
struct ScratchDir {
  std::filesystem::path path;
  explicit ScratchDir(const std::string& prefix = "swarmop-hostile") {
    path = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(::getpid()) +
                                                     "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string file(const std::string& name) const { return (path / name).string(); }
  std::string write(const std::string& name, const std::string& bytes,
                    std::filesystem::perms mode = std::filesystem::perms::owner_read |
                                                  std::filesystem::perms::owner_write) const {
    const auto target = path / name;
    std::ofstream(target, std::ios::binary | std::ios::trunc) << bytes;
    std::filesystem::permissions(target, mode);
    return target.string();
  }
  std::string fifo(const std::string& name) const {
    const auto target = path / name;
    if (::mkfifo(target.c_str(), 0600) != 0) {
      throw std::runtime_error("mkfifo " + target.string());
    }
    return target.string();
  }
  std::string link(const std::string& name, const std::filesystem::path& to) const {
    const auto target = path / name;
    std::filesystem::create_symlink(to, target);
    return target.string();
  }
};

//! Runs `read` (which opens `fifo`) on another thread. Returns whether it came back within
//! `deadline`; if it did not, a writer is opened on the FIFO so the stuck reader is released and
//! the test fails instead of hanging.
template <class Read>
bool returns_promptly_on_fifo(const std::string& fifo, Read read,
                              std::chrono::milliseconds deadline = std::chrono::seconds(5)) {
  auto pending = std::async(std::launch::async, read);
  if (pending.wait_for(deadline) == std::future_status::ready) {
    pending.get();
    return true;
  }
  const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
  if (writer >= 0) {
    ::close(writer);
  }
  pending.wait();
  return false;
}

}  // namespace swarmop::testing
