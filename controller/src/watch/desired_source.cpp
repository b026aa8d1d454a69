#include "watch/desired_source.hpp"

#include <fstream>
#include <functional>
#include <iomanip>
#include <sstream>

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

DesiredSource::DesiredSource(std::string path) : path_(std::move(path)) {}

bool DesiredSource::reload() {
  std::ifstream in(path_, std::ios::binary);
  std::string bytes;
  if (in) {
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::string digest = in ? digest_of(bytes) : "";
  {
    std::lock_guard lock(mutex_);
    if (!digest.empty() && digest == last_read_digest_) {
      return false;  // the same bytes again (a touch, a rewrite with no change)
    }
  }
  auto loaded = in ? model::load_document_text(bytes, path_) : model::load_document_file(path_);
  std::lock_guard lock(mutex_);
  last_read_digest_ = digest;
  if (!loaded.ok()) {
    errors_.clear();
    for (const auto& diagnostic : loaded.diagnostics) {
      if (diagnostic.severity == model::Severity::kError) {
        errors_.push_back(model::format_diagnostic(diagnostic));
      }
    }
    ++load_errors_;
    return false;
  }
  errors_.clear();
  if (digest == revision_) {
    return false;
  }
  current_ = std::make_shared<const model::DesiredState>(std::move(*loaded.state));
  revision_ = digest;
  return true;
}

std::shared_ptr<const model::DesiredState> DesiredSource::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

std::string DesiredSource::revision() const {
  std::lock_guard lock(mutex_);
  return revision_;
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
