#include "report/desired_diff.hpp"

#include <boost/json.hpp>

#include "report/redact.hpp"

namespace swarmop::report {

namespace json = boost::json;

namespace {

//! Path segments as written ("spec", "swarm", "nodes", "[node2]", "role").
using Segments = std::vector<std::string>;

std::string path_text(const Segments& segments) {
  std::string out;
  for (const auto& segment : segments) {
    if (!out.empty() && segment.front() != '[') {
      out += '.';
    }
    out += segment;
  }
  return out;
}

bool under(const Segments& segments, std::initializer_list<std::string_view> prefix) {
  if (segments.size() < prefix.size()) {
    return false;
  }
  std::size_t i = 0;
  for (const auto& expected : prefix) {
    if (expected != "*" && segments[i] != expected) {
      return false;
    }
    ++i;
  }
  return true;
}

//! Which planner reads which part of the file (see reconcilers/src/*_planner.cpp).
std::set<std::string> wakes_of(const Segments& s) {
  if (under(s, {"spec", "swarm", "nodes", "*", "labels"})) {
    return {"labels"};
  }
  if (under(s, {"spec", "swarm", "nodes", "*"}) && s.size() == 4) {
    return {"membership", "labels"};  // a node added or removed: its role and its labels
  }
  if (under(s, {"spec", "swarm", "nodes"}) && s.size() == 3) {
    return {"membership", "labels"};
  }
  if (under(s, {"spec", "swarm"})) {
    return {"membership"};
  }
  if (under(s, {"spec", "services", "*", "constraints"}) ||
      under(s, {"spec", "services", "*", "preferences"}) ||
      under(s, {"spec", "services", "*", "spread"})) {
    return {"labels"};
  }
  if (under(s, {"spec", "services", "*"}) && s.size() == 3) {
    return {"labels", "placement"};  // a service added or removed
  }
  if (under(s, {"spec", "services"})) {
    return {"labels", "placement"};
  }
  if (under(s, {"spec", "stack"})) {
    return {"labels", "placement", "couchbase", "rabbitmq"};  // every service name changes
  }
  if (under(s, {"spec", "couchbase"})) {
    return {"couchbase"};
  }
  if (under(s, {"spec", "rabbitmq"})) {
    return {"rabbitmq"};
  }
  return {};  // metadata and the like: no reconciler reads them
}

bool is_env(const Segments& s) {
  return under(s, {"spec", "services", "*", "env"});
}

//! Replaces every env value under `path` (the value's own place in the document) in place:
//! a whole service, or every service, may be added or removed at once.
void redact_env(json::value& value, Segments& path) {
  if (is_env(path)) {
    if (path.size() == 4 && value.is_object()) {
      for (auto& member : value.get_object()) {
        member.value() = std::string(kRedacted);
      }
    } else {
      value = std::string(kRedacted);
    }
    return;
  }
  if (!value.is_object()) {
    return;
  }
  for (auto& member : value.get_object()) {
    path.emplace_back(member.key());
    redact_env(member.value(), path);
    path.pop_back();
  }
}

std::string shown(const json::value* original, const Segments& segments) {
  if (original == nullptr) {
    return "";
  }
  json::value value = *original;
  Segments path = segments;
  redact_env(value, path);
  if (value.is_string()) {
    // An empty string is shown quoted so it does not read as absent.
    return value.get_string().empty() ? "\"\"" : std::string(value.get_string());
  }
  return json::serialize(value);
}

//! Swarm node entries by hostname, in the order given.
std::vector<std::pair<std::string, const json::value*>> by_hostname(const json::array& nodes) {
  std::vector<std::pair<std::string, const json::value*>> out;
  for (const auto& node : nodes) {
    const json::value* hostname =
        node.is_object() ? node.get_object().if_contains("hostname") : nullptr;
    if (hostname == nullptr || !hostname->is_string()) {
      return {};
    }
    out.emplace_back(std::string(hostname->get_string()), &node);
  }
  return out;
}

class Differ {
 public:
  std::vector<DesiredChange> changes;

  void compare(const json::value* before, const json::value* after, Segments& path) {
    if (before != nullptr && after != nullptr && *before == *after) {
      return;
    }
    if (before != nullptr && after != nullptr && before->is_object() && after->is_object()) {
      compare_objects(before->get_object(), after->get_object(), path);
      return;
    }
    if (before != nullptr && after != nullptr && before->is_array() && after->is_array() &&
        path_text(path) == "spec.swarm.nodes") {
      if (compare_nodes(before->get_array(), after->get_array(), path)) {
        return;
      }
    }
    changes.push_back({path_text(path), shown(before, path), shown(after, path), wakes_of(path)});
  }

 private:
  void compare_objects(const json::object& before, const json::object& after, Segments& path) {
    for (const auto& member : before) {
      path.emplace_back(member.key());
      compare(&member.value(), after.if_contains(member.key()), path);
      path.pop_back();
    }
    for (const auto& member : after) {
      if (!before.contains(member.key())) {
        path.emplace_back(member.key());
        compare(nullptr, &member.value(), path);
        path.pop_back();
      }
    }
  }

  //! false when an entry has no hostname (then the list is compared whole).
  bool compare_nodes(const json::array& before, const json::array& after, Segments& path) {
    const auto old_nodes = by_hostname(before);
    const auto new_nodes = by_hostname(after);
    if (old_nodes.size() != before.size() || new_nodes.size() != after.size()) {
      return false;
    }
    auto find = [](const auto& nodes, const std::string& hostname) -> const json::value* {
      for (const auto& [name, node] : nodes) {
        if (name == hostname) {
          return node;
        }
      }
      return nullptr;
    };
    for (const auto& [hostname, node] : old_nodes) {
      path.push_back('[' + hostname + ']');
      compare(node, find(new_nodes, hostname), path);
      path.pop_back();
    }
    for (const auto& [hostname, node] : new_nodes) {
      if (find(old_nodes, hostname) == nullptr) {
        path.push_back('[' + hostname + ']');
        compare(nullptr, node, path);
        path.pop_back();
      }
    }
    return true;
  }
};

}  // namespace

std::vector<DesiredChange> diff_desired(const json::value& before, const json::value& after) {
  Differ differ;
  Segments path;
  differ.compare(&before, &after, path);
  return differ.changes;
}

void print_desired_diff(const std::vector<DesiredChange>& changes, std::ostream& out) {
  std::set<std::string> wakes;
  for (const auto& change : changes) {
    const char marker = change.before.empty() ? '+' : change.after.empty() ? '-' : '~';
    out << marker << ' ' << change.path << ": "
        << (change.before.empty() ? "(none)" : change.before) << " -> "
        << (change.after.empty() ? "(none)" : change.after) << '\n';
    wakes.insert(change.wakes.begin(), change.wakes.end());
  }
  // In the order apply runs the reconcilers.
  std::string woken;
  for (const char* name : {"membership", "labels", "placement", "couchbase", "rabbitmq"}) {
    if (wakes.count(name) > 0) {
      woken += (woken.empty() ? "" : ", ") + std::string(name);
    }
  }
  out << "wakes: " << (woken.empty() ? "no reconciler" : woken) << '\n';
  out << changes.size() << " change" << (changes.size() == 1 ? "" : "s")
      << " to the desired state\n";
}

}  // namespace swarmop::report
