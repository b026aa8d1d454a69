#include "swarmop/reconcilers/swarm_observation.hpp"

#include <algorithm>

namespace swarmop::reconcilers {

namespace {

// Hostnames are ASCII (RFC 1123). Folding inline rather than through std::tolower keeps
// find_node cheap: the planners call it once per listed node, over every node.
char fold_ascii(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool same_hostname(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return x == y || fold_ascii(x) == fold_ascii(y);
         });
}

namespace {

std::string folded(std::string_view hostname) {
  std::string out(hostname);
  std::transform(out.begin(), out.end(), out.begin(), fold_ascii);
  return out;
}

//! find_node's preference: the live entry when a re-join left a down one, else the newest.
bool better_entry(const clients::DockerNode& candidate, const clients::DockerNode& current) {
  return (current.state != "ready" && candidate.state == "ready") ||
         (current.state == candidate.state && candidate.version > current.version);
}

}  // namespace

NodeIndex::NodeIndex(const std::vector<clients::DockerNode>& nodes) : nodes_(&nodes) {
  best_.reserve(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    auto [it, inserted] = best_.try_emplace(folded(nodes[i].hostname), i);
    if (!inserted && better_entry(nodes[i], nodes[it->second])) {
      it->second = i;
    }
  }
}

const clients::DockerNode* NodeIndex::find(std::string_view hostname) const {
  auto it = best_.find(folded(hostname));
  return it == best_.end() ? nullptr : &(*nodes_)[it->second];
}

DesiredNodeIndex::DesiredNodeIndex(const model::DesiredState& desired) {
  by_host_.reserve(desired.swarm.nodes.size());
  for (const auto& node : desired.swarm.nodes) {
    by_host_.try_emplace(folded(node.hostname), &node);
  }
}

const model::NodeSpec* DesiredNodeIndex::find(std::string_view hostname) const {
  auto it = by_host_.find(folded(hostname));
  return it == by_host_.end() ? nullptr : it->second;
}

const clients::DockerNode* find_node(const std::vector<clients::DockerNode>& nodes,
                                     std::string_view hostname) {
  const clients::DockerNode* found = nullptr;
  for (const auto& node : nodes) {
    if (!same_hostname(node.hostname, hostname)) {
      continue;
    }
    // A re-join leaves the old entry Down beside the new one: the live entry is the node.
    const bool better = found == nullptr || (found->state != "ready" && node.state == "ready") ||
                        (found->state == node.state && node.version > found->version);
    if (better) {
      found = &node;
    }
  }
  return found;
}

std::string stack_service_name(const model::DesiredState& desired, const std::string& name) {
  return desired.stack.empty() ? name : desired.stack + "_" + name;
}

std::vector<std::string> stack_service_names(const model::DesiredState& desired,
                                             const std::vector<model::PinnedService>& nodes) {
  std::vector<std::string> out;
  out.reserve(nodes.size());
  for (const auto& node : nodes) {
    out.push_back(stack_service_name(desired, node.service));
  }
  return out;
}

const clients::DockerService* find_service(const SwarmObservation& observed,
                                           const std::string& full_name) {
  for (const auto& service : observed.services) {
    if (service.name == full_name) {
      return &service;
    }
  }
  return nullptr;
}

model::NodeAttributes attributes_of(const clients::DockerNode& node) {
  model::NodeAttributes out;
  out.id = node.id;
  out.hostname = node.hostname;
  out.role = node.role;
  out.labels = node.labels;
  // Platform and engine labels are not read by the client: constraints on them evaluate to
  // unknown, which the checks treat as not met.
  return out;
}

std::vector<model::Constraint> parse_constraints(const std::vector<std::string>& texts,
                                                 std::vector<std::string>* unparsed) {
  std::vector<model::Constraint> out;
  for (const auto& text : texts) {
    if (auto constraint = model::parse_constraint(text)) {
      out.push_back(std::move(*constraint));
    } else if (unparsed != nullptr) {
      unparsed->push_back(text);
    }
  }
  return out;
}

bool meets_all(const std::vector<model::Constraint>& constraints,
               const model::NodeAttributes& node) {
  return std::all_of(constraints.begin(), constraints.end(), [&](const model::Constraint& c) {
    return model::evaluate(c, node) == model::Match::kYes;
  });
}

std::map<std::string, int> running_tasks_by_node(const SwarmObservation& observed,
                                                 const std::string& service_id) {
  std::map<std::string, int> out;
  for (const auto& task : observed.tasks) {
    if (task.service_id == service_id && task.desired_state == "running" &&
        task.state == "running" && !task.node_id.empty()) {
      ++out[task.node_id];
    }
  }
  return out;
}

std::string join_text(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out += separator;
    }
    out += item;
  }
  return out;
}

std::string labels_text(const std::map<std::string, std::string>& labels) {
  std::vector<std::string> items;
  for (const auto& [key, value] : labels) {
    items.push_back(key + "=" + value);
  }
  return items.empty() ? "no labels" : join_text(items);
}

}  // namespace swarmop::reconcilers
