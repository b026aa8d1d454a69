#pragma once

#include <httplib.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "swarmop/clients/couchbase_http_client.hpp"
#include "swarmop/sim/couchbase/couchbase_simulator.hpp"
#include "swarmop/sim/couchbase/couchbase_stack.hpp"
#include "swarmop/sim/default_world.hpp"
#include "swarmop/sim/simulated_cluster.hpp"

//! A simulated PowerFlow stack on three swarm nodes, as the manual sets it up for Couchbase HA:
//! couchbase on node1, couchbase-worker pinned to node2 and couchbase-worker2 to node3, both
//! workers at 0 replicas. Time moves only by advance().
namespace swarmop::sim::couchbase::testing {

inline const clients::BasicAuth kAdmin{"Administrator", "password"};

inline ClusterOptions manual_cluster_options() {
  ClusterOptions options;
  options.manual_clock = true;
  options.unix_sockets = false;
  return options;
}

struct CouchbaseStack {
  SimulatedCluster cluster;
  CouchbaseSimulator couchbase;

  explicit CouchbaseStack(bool auto_rebalance = false, CouchbaseSimOptions options = {})
      : cluster(manual_cluster_options(),
                [auto_rebalance](SwarmWorld& world) {
                  install_default_world(world, DefaultWorldOptions{3, 0, "iservices"});
                  world.create_service_directly(
                      worker_spec("iservices", "couchbase-worker", "node2", auto_rebalance));
                  world.create_service_directly(
                      worker_spec("iservices", "couchbase-worker2", "node3", auto_rebalance));
                }),
        couchbase(cluster, std::move(options)) {}

  //! docker service scale iservices_<name>=<replicas>, seen by the Couchbase nodes at once.
  void scale(const std::string& name, int replicas) {
    scale_service(cluster.world(), "iservices_" + name, replicas);
    couchbase.tick();
  }
  //! Pins iservices_<name> to `host` with a placement constraint, as the operator's pins do,
  //! and waits out the rolling update (stop-first, 10 s grace) until its task runs there.
  void pin(const std::string& name, const std::string& host) {
    auto& world = cluster.world();
    const std::string service = "iservices_" + name;
    const auto inspected = world.inspect_service(service);
    REQUIRE(inspected.ok());
    boost::json::object spec = inspected.body.at("Spec").as_object();
    spec["TaskTemplate"].as_object()["Placement"] = boost::json::object{
        {"Constraints", boost::json::array{boost::json::value("node.hostname == " + host)}}};
    const auto version = inspected.body.at("Version").at("Index").to_number<std::uint64_t>();
    REQUIRE(
        world.update_service(service, std::to_string(version), boost::json::serialize(spec)).ok());
    for (int i = 0;
         i < 30 && world.running_by_host(service) != std::map<std::string, int>{{host, 1}}; ++i) {
      advance_seconds(1);
    }
    REQUIRE(world.running_by_host(service) == std::map<std::string, int>{{host, 1}});
  }
  void advance_seconds(double seconds) {
    couchbase.advance(std::chrono::nanoseconds(static_cast<std::int64_t>(seconds * 1e9)));
  }
  void set_host_down(const std::string& host, bool down) {
    cluster.set_node_down(host, down);
    couchbase.tick();
  }

  std::unique_ptr<clients::CouchbaseHttpClient> client(
      const clients::BasicAuth& credentials = kAdmin) {
    std::vector<clients::Endpoint> endpoints;
    for (const auto& url : couchbase.endpoints()) {
      endpoints.push_back(*clients::parse_http_url(url));
    }
    return clients::CouchbaseHttpClient::over_curl(endpoints, credentials);
  }
  //! A client that talks to one node only.
  std::unique_ptr<clients::CouchbaseHttpClient> client_of(const std::string& node) {
    return clients::CouchbaseHttpClient::over_curl(
        {*clients::parse_http_url(couchbase.endpoint(node))}, kAdmin);
  }
  //! Raw HTTP to one node, for exact bodies and headers.
  std::unique_ptr<httplib::Client> http(const std::string& node,
                                        const clients::BasicAuth& credentials = kAdmin) {
    auto client = std::make_unique<httplib::Client>(couchbase.endpoint(node));
    if (!credentials.username.empty()) {
      client->set_basic_auth(credentials.username.c_str(), credentials.password.c_str());
    }
    return client;
  }
  std::string otp(const std::string& node) { return couchbase.otp_node(node); }
};

inline httplib::Result post_form(httplib::Client& client, const std::string& path,
                                 const std::string& body) {
  return client.Post(path.c_str(), body, "application/x-www-form-urlencoded");
}

}  // namespace swarmop::sim::couchbase::testing
