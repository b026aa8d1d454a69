// Small desired-state documents for the watch tests: one node, told apart by a label.
#pragma once

#include <string>

namespace swarmop::testing {

//! A valid one-node document whose node1 has the label zone=LABEL.
inline std::string cluster_file(const std::string& label) {
  return "apiVersion: swarm-operator/v1alpha1\n"
         "kind: SwarmCluster\n"
         "metadata: {name: test}\n"
         "spec:\n"
         "  swarm:\n"
         "    nodes:\n"
         "      - hostname: node1\n"
         "        role: manager\n"
         "        labels: {zone: " +
         label + "}\n";
}

}  // namespace swarmop::testing
