#include "watch/desired_source.hpp"

#include <iomanip>
#include <sstream>

#include "swarmop/model/bounded_file.hpp"
#include "swarmop/model/diagnostic.hpp"
#include "swarmop/model/document_loader.hpp"

namespace swarmop::watch {

namespace {

//! FNV-1a, 64 bits: tells one revision of the file from another (not a security digest).
std::string digest_of(const std::string& bytes) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (const unsigned char c : bytes) {
    hash = (hash ^ c) * 1099511628211ULL;
  }
  std::ostringstream out;
  out << std::hex << std::setw(16) << std::setfill('0') << hash;
  return out.str();
}

}  // namespace

DesiredSource::DesiredSource(std::string path, std::chrono::milliseconds stable_for, Now now)
    : path_(std::move(path)), stable_for_(stable_for), now_(std::move(now)) {}

DesiredSource::Reload DesiredSource::reload() {
  const model::FileRead read = model::read_bounded_file(path_, model::kMaxDocumentBytes);
  const std::string digest = read.ok() ? digest_of(read.bytes) : std::string();
  // A read that failed is content too: a directory where the file was must hold still before
  // it is reported, as a file half renamed into place is not an error worth an alert.
  const std::string content = read.ok() ? "bytes:" + digest : "failure:" + read.failure;
  const auto now = now_();
  {
    std::lock_guard lock(mutex_);
    if (content != candidate_) {
      candidate_ = content;
      candidate_since_ = now;
      if (content == evaluated_) {
        settling_ = false;  // back to what was last looked at before anything new settled
        return Reload::kUnchanged;
      }
      if (stable_for_.count() > 0) {
        settling_ = true;
        return Reload::kSettling;
      }
    }
    if (content == evaluated_) {
      return Reload::kUnchanged;  // a touch, a rewrite with the same bytes
    }
    if (now - candidate_since_ < stable_for_) {
      settling_ = true;
      return Reload::kSettling;
    }
    settling_ = false;
    evaluated_ = content;
  }
  // Parsed without the lock: status readers on other threads are not held up by it. Only the
  // loop calls reload(), so nothing else changes the fields below meanwhile.
  std::vector<std::string> errors;
  std::optional<model::DesiredState> state;
  if (!read.ok()) {
    errors.push_back(model::format_diagnostic({model::Severity::kError, path_, {}, read.failure}));
  } else {
    auto loaded = model::load_document_text(read.bytes, path_);
    for (const auto& diagnostic : loaded.diagnostics) {
      if (diagnostic.severity == model::Severity::kError) {
        errors.push_back(model::format_diagnostic(diagnostic));
      }
    }
    state = std::move(loaded.state);
  }
  std::lock_guard lock(mutex_);
  errors_ = std::move(errors);
  if (!state) {
    ++load_errors_;
    return Reload::kInvalid;
  }
  if (digest == revision_) {
    return Reload::kUnchanged;  // fixed back to the document already in force
  }
  current_ = std::make_shared<const model::DesiredState>(std::move(*state));
  revision_ = digest;
  first_seen_ = candidate_since_;
  return Reload::kChanged;
}

std::shared_ptr<const model::DesiredState> DesiredSource::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::string DesiredSource::revision() const {
  std::lock_guard lock(mutex_);
  return revision_;
}

std::optional<Clock::time_point> DesiredSource::first_seen() const {
  std::lock_guard lock(mutex_);
  return first_seen_;
}

std::optional<Clock::time_point> DesiredSource::settles_at() const {
  std::lock_guard lock(mutex_);
  if (!settling_) {
    return std::nullopt;
  }
  return candidate_since_ + stable_for_;
}

std::vector<std::string> DesiredSource::errors() const {
  std::lock_guard lock(mutex_);
  return errors_;
}

std::uint64_t DesiredSource::load_errors() const {
  std::lock_guard lock(mutex_);
  return load_errors_;
}

}  // namespace swarmop::watch
