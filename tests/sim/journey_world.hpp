#pragma once

// A fresh install with both data stores on the simulators, and apply's loop driven on their
// simulated clock: the world of the named and the random journeys. The invariant monitor of
// sim::couchbase::FreshInstall watches every change from the start.
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "apply/converge.hpp"
#include "swarmop/clients/couchbase_http_client.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/endpoint.hpp"
#include "swarmop/clients/manager_handover_client.hpp"
#include "swarmop/clients/rabbitmq_http_client.hpp"
#include "swarmop/sim/couchbase/fresh_install.hpp"
#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"

namespace swarmop::testing {

class JourneyWorld {
 public:
  //! `hosts` swarm nodes (node1 the only manager, every task on it), one Couchbase and one
  //! RabbitMQ node.
  explicit JourneyWorld(int hosts, std::uint64_t seed = 1) : sim_(hosts, couchbase_options(seed)) {
    rabbit_ = std::make_unique<sim::rabbitmq::RabbitSimulator>(sim_.cluster().world());
    for (int i = 0; i < 100 && rabbit_->node_names().empty(); ++i) {
      advance(std::chrono::seconds(1));
    }
    if (rabbit_->node_names().empty()) {
      throw std::runtime_error("the simulated RabbitMQ node did not start");
    }
    node1_ = docker_at(sim_.manager_address());
    manager_ = std::make_unique<clients::ManagerHandoverClient>(*node1_);
  }
  ~JourneyWorld() { rabbit_->stop(); }
  JourneyWorld(const JourneyWorld&) = delete;
  JourneyWorld& operator=(const JourneyWorld&) = delete;

  sim::couchbase::FreshInstall& sim() { return sim_; }
  sim::rabbitmq::RabbitSimulator& rabbit() { return *rabbit_; }
  sim::InvariantMonitor& invariants() { return sim_.invariants(); }

  //! Moves the simulated clock; the RabbitMQ simulator follows the swarm's tasks.
  void advance(std::chrono::milliseconds by) {
    sim_.advance(by);
    rabbit_->sync();
  }

  //! The file's engine endpoints pointed at the simulated engines of the same hosts.
  model::DesiredState localised(model::DesiredState desired) {
    for (auto& node : desired.swarm.nodes) {
      if (node.engine) {
        node.engine =
            model::EngineEndpoint{sim_.cluster().tcp_address(node.hostname), std::nullopt};
      }
    }
    return desired;
  }

  //! apply's loop until in sync or blocked, started again after an error or a timeout as watch
  //! mode requeues a failed pass (at most `attempts` times). `after_sleep` runs after each wait
  //! on the simulated clock (a fault schedule).
  controller::ConvergeResult apply(
      const model::DesiredState& desired,
      const std::function<void(const controller::StepReport&)>& on_step,
      const std::function<void(std::chrono::milliseconds)>& after_sleep = nullptr,
      int attempts = 20) {
    std::vector<clients::Endpoint> couchbase_endpoints;
    for (const auto& url : sim_.couchbase().endpoints()) {
      couchbase_endpoints.push_back(*clients::parse_http_url(url));
    }
    auto couchbase =
        clients::CouchbaseHttpClient::over_curl(couchbase_endpoints, {"Administrator", "password"});
    std::vector<std::unique_ptr<clients::HttpTransport>> rabbit_endpoints;
    for (const auto& url : rabbit_->urls()) {
      rabbit_endpoints.push_back(std::make_unique<clients::CurlTransport>(
          *clients::parse_http_url(url), clients::BasicAuth{"guest", "guest"}));
    }
    clients::RabbitHttpClient rabbit(std::move(rabbit_endpoints));
    reconcilers::EngineConnector engines =
        [](const model::EngineEndpoint& engine) -> model::Expected<clients::DockerClientPtr> {
      return docker_at(engine.endpoint);
    };
    controller::ClusterClients clients{
        *manager_, engines, &rabbit, couchbase.get(),
        [this](clients::DockerClientPtr next, const model::EngineEndpoint&) {
          manager_->hand_over(std::move(next));
        }};
    controller::ConvergeOptions options;
    options.timeout = std::chrono::seconds(120);  // wall time: a safety net
    options.poll = std::chrono::seconds(1);
    const auto sleep = [&](std::chrono::milliseconds pause) {
      advance(pause);
      if (after_sleep) {
        after_sleep(pause);
      }
    };
    controller::ConvergeResult result;
    for (int attempt = 0; attempt < attempts; ++attempt) {
      result = controller::converge(desired, clients, options, on_step, sleep);
      if (result.outcome == controller::ConvergeOutcome::kInSync ||
          result.outcome == controller::ConvergeOutcome::kBlocked) {
        break;
      }
      sleep(std::chrono::seconds(5));
    }
    return result;
  }

  //! Every blocked step of the last plan, one line each ("" when none).
  static std::string blocked_text(const controller::ConvergeResult& result) {
    std::string out;
    for (const auto& report : result.last_reports) {
      for (const auto& step : report.blocked) {
        out += "  blocked: " + step.step.reconciler + " " + step.step.action + " " +
               step.step.object + ": " + step.reason + "\n";
      }
    }
    return out;
  }

  //! In sync, or blocked with a reason.
  static bool settled(const controller::ConvergeResult& result) {
    return result.outcome == controller::ConvergeOutcome::kInSync ||
           (result.outcome == controller::ConvergeOutcome::kBlocked &&
            !blocked_text(result).empty());
  }

  static clients::DockerClientPtr docker_at(const std::string& address) {
    return std::make_unique<clients::DockerHttpClient>(
        std::make_unique<clients::CurlTransport>(*clients::parse_docker_host(address)));
  }

 private:
  static sim::couchbase::CouchbaseSimOptions couchbase_options(std::uint64_t seed) {
    sim::couchbase::CouchbaseSimOptions options;
    options.seed = seed;
    return options;
  }
  sim::couchbase::FreshInstall sim_;
  std::unique_ptr<sim::rabbitmq::RabbitSimulator> rabbit_;
  clients::DockerClientPtr node1_;
  std::unique_ptr<clients::ManagerHandoverClient> manager_;
};

}  // namespace swarmop::testing
