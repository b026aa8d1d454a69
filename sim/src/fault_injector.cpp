#include "swarmop/sim/fault_injector.hpp"

#include <algorithm>
#include <boost/json.hpp>

namespace swarmop::sim {

namespace json = boost::json;

std::optional<FaultRule> FaultRule::from_json(const json::value& value, std::string& error) {
  const auto* object = value.if_object();
  if (object == nullptr) {
    error = "a fault rule must be a JSON object";
    return std::nullopt;
  }
  FaultRule rule;
  try {
    for (const auto& [key, field] : *object) {
      if (key == "node") {
        rule.node = json::value_to<std::string>(field);
      } else if (key == "method") {
        rule.method = json::value_to<std::string>(field);
      } else if (key == "path" || key == "path_regex") {
        rule.path_regex = json::value_to<std::string>(field);
      } else if (key == "latency_ms" || key == "latencyMs") {
        rule.latency_ms = json::value_to<int>(field);
      } else if (key == "status") {
        rule.status = json::value_to<int>(field);
      } else if (key == "message") {
        rule.message = json::value_to<std::string>(field);
      } else if (key == "drop") {
        rule.drop = field.as_bool();
      } else if (key == "hang") {
        rule.hang = field.as_bool();
      } else if (key == "hang_ms" || key == "hangMs") {
        rule.hang_ms = json::value_to<int>(field);
      } else if (key == "count") {
        rule.count = json::value_to<int>(field);
      } else if (key == "probability") {
        rule.probability = field.is_double() ? field.get_double() : json::value_to<double>(field);
      } else if (key == "seed") {
        rule.seed = json::value_to<std::uint64_t>(field);
      } else {
        error = "unknown fault rule field '" + std::string(key) + "'";
        return std::nullopt;
      }
    }
    std::regex check(rule.path_regex);
  } catch (const std::exception& e) {
    error = std::string("bad fault rule: ") + e.what();
    return std::nullopt;
  }
  return rule;
}

std::uint64_t FaultInjector::add(FaultRule rule) {
  std::lock_guard lock(mutex_);
  const std::uint64_t id = next_id_++;
  std::regex path(rule.path_regex);
  std::mt19937_64 random(rule.seed);
  rules_.push_back(Entry{id, std::move(rule), std::move(path), random, 0});
  return id;
}

void FaultInjector::remove(std::uint64_t id) {
  {
    std::lock_guard lock(mutex_);
    std::erase_if(rules_, [&](const Entry& e) { return e.id == id; });
  }
  released_.notify_all();
}

void FaultInjector::clear() {
  {
    std::lock_guard lock(mutex_);
    rules_.clear();
  }
  released_.notify_all();
}

std::size_t FaultInjector::size() const {
  std::lock_guard lock(mutex_);
  return rules_.size();
}

std::optional<FaultAction> FaultInjector::match(const std::string& node, const std::string& method,
                                                const std::string& path) {
  std::lock_guard lock(mutex_);
  for (auto& entry : rules_) {
    const FaultRule& rule = entry.rule;
    if ((!rule.node.empty() && rule.node != node) ||
        (!rule.method.empty() && rule.method != method) || rule.count == 0 ||
        !std::regex_search(path, entry.path)) {
      continue;
    }
    if (rule.probability < 1.0 &&
        std::uniform_real_distribution<double>(0.0, 1.0)(entry.random) >= rule.probability) {
      continue;
    }
    if (entry.rule.count > 0) {
      --entry.rule.count;
    }
    ++entry.hits;
    return FaultAction{rule.latency_ms, rule.status,  rule.message, rule.drop,
                       rule.hang,       rule.hang_ms, entry.id};
  }
  return std::nullopt;
}

std::uint64_t FaultInjector::hits(std::uint64_t id) const {
  std::lock_guard lock(mutex_);
  for (const auto& entry : rules_) {
    if (entry.id == id) {
      return entry.hits;
    }
  }
  return 0;
}

void FaultInjector::hold(const FaultAction& action) {
  std::unique_lock lock(mutex_);
  const std::uint64_t generation = release_generation_;
  const auto released = [&] {
    return release_generation_ != generation ||
           std::none_of(rules_.begin(), rules_.end(),
                        [&](const Entry& e) { return e.id == action.rule_id; });
  };
  if (action.hang_ms > 0) {
    released_.wait_for(lock, std::chrono::milliseconds(action.hang_ms), released);
  } else {
    released_.wait(lock, released);
  }
}

void FaultInjector::release_all() {
  {
    std::lock_guard lock(mutex_);
    ++release_generation_;
  }
  released_.notify_all();
}

}  // namespace swarmop::sim
