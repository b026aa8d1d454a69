# The Couchbase cluster simulator: one Couchbase node per Couchbase service of the simulated
# stack, each serving the admin REST API on its own loopback port, driven by the same world.
add_library(swarmop_sim_couchbase
  src/couchbase/cb_cluster.cpp
  src/couchbase/cb_data_move.cpp
  src/couchbase/cb_membership.cpp
  src/couchbase/cb_rebalance.cpp
  src/couchbase/cb_settings.cpp
  src/couchbase/cb_auto_failover.cpp
  src/couchbase/cb_render.cpp
  src/couchbase/cb_routes.cpp
  src/couchbase/cb_node_server.cpp
  src/couchbase/couchbase_stack.cpp
  src/couchbase/fresh_install.cpp
  src/couchbase/couchbase_simulator.cpp)
target_include_directories(swarmop_sim_couchbase PUBLIC include PRIVATE src/couchbase)
target_link_libraries(swarmop_sim_couchbase PUBLIC swarmop_sim Boost::json
                      PRIVATE PkgConfig::HTTPLIB)
swarmop_target_defaults(swarmop_sim_couchbase)
