#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "swarmop/model/desired_state.hpp"
#include "watch/work_queue.hpp"

namespace swarmop::watch {

//! The desired-state file as the controller holds it: the last good document, and what the
//! latest read said. A file that stops validating (or stops being a readable regular file)
//! changes nothing: the last good document stays in force and the errors are kept for status
//! until the file is fixed.
//!
//! New content is taken only once it holds still: the same bytes read twice in a row at least
//! `stable_for` apart. An editor or script that writes in place with pauses exposes a valid
//! prefix of the file (a node list cut short); acting on it could remove nodes. Until then a
//! read is "settling" and the caller reads again at settles_at().
class DesiredSource {
 public:
  using Now = std::function<Clock::time_point()>;

  enum class Reload {
    kUnchanged,  //!< nothing new: the same content as the last one taken or refused
    kSettling,   //!< new content, not yet read twice `stable_for` apart: read again later
    kChanged,    //!< a valid document with new content replaced the one in force
    kInvalid,    //!< the new content is not a valid document (or not readable): see errors()
  };

  explicit DesiredSource(std::string path,
                         std::chrono::milliseconds stable_for = std::chrono::seconds(1),
                         Now now = Clock::now);

  //! Reads the file again (never more than the 1 MiB a document may have).
  Reload reload();

  std::shared_ptr<const model::DesiredState> current() const;
  //! A digest of the bytes of the document in force ("" before the first good read).
  std::string revision() const;
  //! When the bytes of the document in force were first read (they were then read again at
  //! least `stable_for` later before being taken); nullopt before the first good read. Steps
  //! that cannot be undone can ask for content that has been there longer still.
  std::optional<Clock::time_point> first_seen() const;
  //! While a read is settling: when reading again can take it.
  std::optional<Clock::time_point> settles_at() const;
  //! "FILE:LINE:COLUMN: error: message" (or "FILE: error: is a directory, not a regular
  //! file") lines of the latest content looked at; empty when it was good.
  std::vector<std::string> errors() const;
  std::uint64_t load_errors() const;
  const std::string& path() const { return path_; }
  std::chrono::milliseconds stable_for() const { return stable_for_; }

 private:
  std::string path_;
  std::chrono::milliseconds stable_for_;
  Now now_;
  mutable std::mutex mutex_;
  std::shared_ptr<const model::DesiredState> current_;
  std::string revision_;
  std::optional<Clock::time_point> first_seen_;
  //! What the latest read found (a digest of the bytes, or the reason it could not read) and
  //! since when it has been read unchanged.
  std::string candidate_;
  Clock::time_point candidate_since_{};
  bool settling_ = false;
  //! The last content taken or refused: reading it again changes nothing.
  std::string evaluated_;
  std::vector<std::string> errors_;
  std::uint64_t load_errors_ = 0;
};

}  // namespace swarmop::watch
