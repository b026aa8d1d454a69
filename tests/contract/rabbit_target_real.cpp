#include "rabbit_cluster_under_test.hpp"

namespace swarmop::contract {

// The env file the real_rabbitmq_up fixture writes (tests/harness/rabbitmq/rabbit-up.sh).
std::unique_ptr<RabbitClusterUnderTest> make_rabbit_cluster() {
  return make_real_rabbit_cluster(SWARMOP_REAL_RABBIT_ENV);
}

}  // namespace swarmop::contract
