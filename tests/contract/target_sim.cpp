#include "cluster_under_test.hpp"

namespace swarmop::contract {

std::unique_ptr<ClusterUnderTest> make_cluster() {
  return make_simulated_cluster();
}

}  // namespace swarmop::contract
