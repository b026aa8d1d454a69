#include "rabbit_cluster_under_test.hpp"

namespace swarmop::contract {

// The RabbitMQ simulator on a simulated three-node swarm (simulated_rabbit_cluster_under_test).
std::unique_ptr<RabbitClusterUnderTest> make_rabbit_cluster() {
  return make_simulated_rabbit_cluster();
}

}  // namespace swarmop::contract
