#include "snapshot/snapshot_file.hpp"

#include <boost/json/parse.hpp>

#include "swarmop/model/bounded_file.hpp"

namespace swarmop::snapshot {

namespace {

//! A snapshot of a large swarm (thousands of tasks, each a few KiB of JSON) is a few MiB; the
//! limit only keeps a wrong path (/dev/zero, a disk image) from filling memory.
constexpr std::size_t kMaxSnapshotBytes = std::size_t{64} << 20;

}  // namespace

model::Expected<Snapshot> read_snapshot_file(const std::string& path) {
  auto failed = [&](const std::string& why) {
    model::Error error;
    error.code = model::ErrorCode::kInvalid;
    error.message = path + ": " + why;
    return error;
  };
  const model::FileRead read = model::read_bounded_file(path, kMaxSnapshotBytes);
  if (!read.ok()) {
    return failed(read.failure);  // "cannot open: No such file or directory", ...
  }
  boost::json::error_code ec;
  const boost::json::value json = boost::json::parse(read.bytes, ec);
  if (ec) {
    return failed("not valid JSON (" + ec.message() + ")");
  }
  auto snapshot = from_json(json);
  if (!snapshot) {
    return failed(snapshot.error().message);
  }
  return snapshot;
}

}  // namespace swarmop::snapshot
