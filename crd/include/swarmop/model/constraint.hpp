#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace swarmop::model {

//! One Swarm placement constraint, such as `node.labels.types == master`.
struct Constraint {
  enum class Op { kEqual, kNotEqual };
  //! The attribute as Swarm spells it: node.id, node.hostname, node.role, node.platform.os,
  //! node.platform.arch, node.labels.KEY, engine.labels.KEY.
  std::string attribute;
  Op op = Op::kEqual;
  std::string value;

  bool is_node_label() const;
  std::string label_key() const;  //!< KEY of node.labels.KEY, empty otherwise
  std::string to_string() const;  //!< canonical text: `node.labels.types == master`
  bool operator==(const Constraint&) const = default;
};

//! Parses Swarm's constraint syntax. Returns nullopt, with a reason in `error`, when malformed.
std::optional<Constraint> parse_constraint(std::string_view text, std::string* error = nullptr);

//! What a constraint can be evaluated against: the attributes of one node.
struct NodeAttributes {
  std::string id;  //!< may be empty when not known yet (a node declared in the file only)
  std::string hostname;
  std::string role;  //!< "manager" or "worker"
  std::string platform_os;
  std::string platform_arch;
  std::map<std::string, std::string> labels;
  //! Engine labels live in each daemon's configuration; unset when not known (a node declared
  //! in the file only), which makes engine.labels constraints evaluate to kUnknown.
  std::optional<std::map<std::string, std::string>> engine_labels;
};

enum class Match { kYes, kNo, kUnknown };

//! Evaluates a constraint the way Swarm's scheduler does (exact, case-sensitive for labels,
//! case-insensitive for hostname and role; a missing label never equals and always differs).
//! kUnknown when the attribute is not known (an empty id or platform, unknown engine labels).
Match evaluate(const Constraint& constraint, const NodeAttributes& node);

}  // namespace swarmop::model
