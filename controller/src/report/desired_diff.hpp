#pragma once

#include <boost/json/value.hpp>
#include <ostream>
#include <set>
#include <string>
#include <vector>

//! `swarm-operator diff OLD NEW`: what a commit changes in the desired state itself, and which
//! reconcilers that change wakes. Works on the documents as written (no defaults added), so
//! the diff shows what the author changed, not what the defaults make of it.
namespace swarmop::report {

struct DesiredChange {
  std::string path;    //!< "spec.swarm.nodes[node2].role", "spec.services.gui.replicas"
  std::string before;  //!< compact JSON; "" when absent
  std::string after;
  std::set<std::string> wakes;  //!< reconcilers whose plan may change
};

//! Differences in document order. Swarm nodes are matched by hostname, not position, so
//! reordering the list is no change; values under env are redacted.
std::vector<DesiredChange> diff_desired(const boost::json::value& before,
                                        const boost::json::value& after);

//! `+`/`-`/`~` lines, then "wakes: ..." and a summary line.
void print_desired_diff(const std::vector<DesiredChange>& changes, std::ostream& out);

}  // namespace swarmop::report
