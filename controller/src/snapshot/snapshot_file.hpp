#pragma once

#include <string>

#include "snapshot/snapshot.hpp"

namespace swarmop::snapshot {

//! Reads and decodes a snapshot file; errors name the file.
model::Expected<Snapshot> read_snapshot_file(const std::string& path);

}  // namespace swarmop::snapshot
