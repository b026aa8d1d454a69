#include "snapshot/snapshot_file.hpp"

#include <boost/json/parse.hpp>
#include <fstream>
#include <sstream>

namespace swarmop::snapshot {

model::Expected<Snapshot> read_snapshot_file(const std::string& path) {
  auto failed = [&](const std::string& why) {
    model::Error error;
    error.code = model::ErrorCode::kInvalid;
    error.message = path + ": " + why;
    return error;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return failed("cannot open the snapshot");
  }
  std::ostringstream text;
  text << in.rdbuf();
  boost::json::error_code ec;
  const boost::json::value json = boost::json::parse(text.str(), ec);
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
