# The RabbitMQ management-API simulator (sim/rabbitmq.md): each rabbit service task of the
# simulated world is a rabbit node with its own loopback management port.
add_library(swarmop_sim_rabbitmq
  src/rabbitmq/broker_data.cpp
  src/rabbitmq/broker_format.cpp
  src/rabbitmq/broker_nodes.cpp
  src/rabbitmq/broker_policies.cpp
  src/rabbitmq/broker_queues.cpp
  src/rabbitmq/broker_routes.cpp
  src/rabbitmq/rabbit_listener.cpp
  src/rabbitmq/rabbit_services.cpp
  src/rabbitmq/rabbit_simulator.cpp)
target_include_directories(swarmop_sim_rabbitmq PUBLIC include PRIVATE src/rabbitmq)
target_link_libraries(swarmop_sim_rabbitmq PUBLIC swarmop_sim Boost::json
                      PRIVATE PkgConfig::HTTPLIB Threads::Threads)
swarmop_target_defaults(swarmop_sim_rabbitmq)
