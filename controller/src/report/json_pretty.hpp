#pragma once

#include <boost/json/value.hpp>
#include <ostream>

namespace swarmop::report {

//! Writes JSON indented by two spaces, keys in insertion order, ending with a newline: stable
//! output that diffs line by line (golden files, snapshots checked into a repository).
void print_json_pretty(const boost::json::value& value, std::ostream& out);

}  // namespace swarmop::report
