#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "swarmop/model/desired_state.hpp"

namespace swarmop::watch {

//! The desired-state file as the controller holds it: the last good document, and what the
//! latest read said. A file that stops validating changes nothing: the last good document stays
//! in force and the errors (with positions) are kept for status until the file is fixed.
class DesiredSource {
 public:
  explicit DesiredSource(std::string path);

  //! Reads the file again. True when a valid document with new content replaced the one in
  //! force (a write that changes nothing, or a bad file, returns false).
  bool reload();

  std::shared_ptr<const model::DesiredState> current() const;
  //! A digest of the bytes of the document in force ("" before the first good read).
  std::string revision() const;
  //! "FILE:LINE:COLUMN: error: message" lines of the latest read; empty when it was good.
  std::vector<std::string> errors() const;
  std::uint64_t load_errors() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  mutable std::mutex mutex_;
  std::shared_ptr<const model::DesiredState> current_;
  std::string revision_;
  std::string last_read_digest_;
  std::vector<std::string> errors_;
  std::uint64_t load_errors_ = 0;
};

}  // namespace swarmop::watch
