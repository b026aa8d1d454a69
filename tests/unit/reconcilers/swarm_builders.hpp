#pragma once

// Hand-built observations and desired states for the pure planner tests.
#include <boost/json.hpp>
#include <string>
#include <vector>

#include "swarmop/model/desired_state.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"
#include "swarmop/reconcilers/swarm_plan.hpp"

namespace swarmop::testing {

struct NodeShape {
  std::string hostname;
  std::string role = "worker";
  std::string state = "ready";
  std::string availability = "active";
  std::map<std::string, std::string> labels = {};
  bool leader = false;
};

inline clients::DockerNode make_node(const NodeShape& shape) {
  clients::DockerNode node;
  node.id = "id-" + shape.hostname;
  node.version = 7;
  node.hostname = shape.hostname;
  node.role = shape.role;
  node.state = shape.state;
  node.availability = shape.availability;
  node.labels = shape.labels;
  node.leader = shape.leader;
  if (shape.role == "manager") {
    node.manager_reachability = shape.state == "down" ? "unreachable" : "reachable";
    node.manager_addr = "10.0.0." + std::to_string(shape.hostname.back()) + ":2377";
  }
  boost::json::object labels;
  for (const auto& [key, value] : shape.labels) {
    labels[key] = value;
  }
  node.spec = {{"Role", shape.role},
               {"Availability", shape.availability},
               {"Labels", labels},
               {"Name", "kept-as-read"}};
  return node;
}

struct ServiceShape {
  std::string name;
  std::uint64_t replicas = 1;
  std::vector<std::string> constraints = {};
  std::uint64_t max_replicas = 0;
  std::string update_state = "";
};

inline clients::DockerService make_service(const ServiceShape& shape) {
  clients::DockerService service;
  service.id = "svc-" + shape.name;
  service.version = 11;
  service.name = shape.name;
  service.mode = "replicated";
  service.replicas = shape.replicas;
  service.constraints = shape.constraints;
  service.max_replicas = shape.max_replicas;
  if (!shape.update_state.empty()) {
    service.update_status =
        clients::UpdateStatus{shape.update_state, "update " + shape.update_state};
  }
  boost::json::array constraints;
  for (const auto& c : shape.constraints) {
    constraints.emplace_back(c);
  }
  boost::json::object placement{{"Constraints", constraints}};
  if (shape.max_replicas > 0) {
    placement["MaxReplicas"] = shape.max_replicas;
  }
  service.spec = {{"Name", shape.name},
                  {"Labels", {{"com.docker.stack.namespace", "iservices"}}},
                  {"TaskTemplate",
                   {{"ContainerSpec", {{"Image", "img:1"}, {"Env", boost::json::array{"A=1"}}}},
                    {"Placement", placement},
                    {"ForceUpdate", 0},
                    {"UnknownFieldKept", true}}},
                  {"Mode", {{"Replicated", {{"Replicas", shape.replicas}}}}}};
  return service;
}

inline clients::DockerTask running_task(const std::string& service, const std::string& hostname,
                                        std::uint64_t slot, std::string state = "running") {
  clients::DockerTask task;
  task.id = "task-" + service + "-" + std::to_string(slot);
  task.service_id = "svc-" + service;
  task.node_id = hostname.empty() ? "" : "id-" + hostname;
  task.slot = slot;
  task.desired_state = "running";
  task.state = std::move(state);
  return task;
}

inline model::NodeSpec desired_node(const std::string& hostname, model::NodeRole role,
                                    std::map<std::string, std::string> labels = {}) {
  model::NodeSpec node;
  node.hostname = hostname;
  node.role = role;
  node.labels = std::move(labels);
  return node;
}

//! Works for every reconciler's plan.
template <class Plan>
std::vector<std::string> step_names(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& step : plan.steps) {
    out.push_back(step.description.action + " " + step.description.object);
  }
  return out;
}

//! Works for every reconciler's plan.
template <class Plan>
std::vector<std::string> blocked_names(const Plan& plan) {
  std::vector<std::string> out;
  for (const auto& blocked : plan.blocked) {
    out.push_back(blocked.step.action + " " + blocked.step.object);
  }
  return out;
}

template <class Plan>
bool has_finding(const Plan& plan, const std::string& code) {
  for (const auto& finding : plan.findings) {
    if (finding.code == code) {
      return true;
    }
  }
  return false;
}

}  // namespace swarmop::testing
