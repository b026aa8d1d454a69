#include "cluster_under_test.hpp"

namespace swarmop::contract {

// The env file the real_swarm_up fixture writes (tests/harness/swarm/swarm-up.sh).
std::unique_ptr<ClusterUnderTest> make_cluster() {
  return make_real_cluster(SWARMOP_REAL_SWARM_ENV);
}

}  // namespace swarmop::contract
