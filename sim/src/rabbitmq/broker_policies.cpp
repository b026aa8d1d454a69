// Policy validation (the 3.10 server's messages, and 4.x without the ha-* validators) and the
// choice of the one policy that applies to a queue.
#include <algorithm>
#include <regex>

#include "broker.hpp"

namespace swarmop::sim::rabbitmq {

namespace {

const std::set<std::string> kHaKeys = {"ha-mode",
                                       "ha-params",
                                       "ha-sync-mode",
                                       "ha-sync-batch-size",
                                       "ha-promote-on-shutdown",
                                       "ha-promote-on-failure"};

// Keys other validators accept (values not checked unless listed in kLengthKeys).
const std::set<std::string> kOtherKeys = {"alternate-exchange",
                                          "dead-letter-exchange",
                                          "dead-letter-routing-key",
                                          "dead-letter-strategy",
                                          "message-ttl",
                                          "expires",
                                          "max-length",
                                          "max-length-bytes",
                                          "max-in-memory-length",
                                          "max-in-memory-bytes",
                                          "overflow",
                                          "queue-mode",
                                          "queue-version",
                                          "queue-master-locator",
                                          "delivery-limit",
                                          "federation-upstream",
                                          "federation-upstream-set",
                                          "max-age",
                                          "stream-max-segment-size-bytes",
                                          "queue-leader-locator"};

const std::set<std::string> kLengthKeys = {"max-length", "max-length-bytes", "max-in-memory-length",
                                           "max-in-memory-bytes"};

bool positive_integer(const json::value& value) {
  return (value.is_int64() && value.get_int64() > 0) ||
         (value.is_uint64() && value.get_uint64() > 0);
}

// rabbit_mirror_queue_misc:validate_policy: the ha-* keys together.
std::optional<std::string> validate_ha(const json::object& definition) {
  const json::value* mode = definition.if_contains("ha-mode");
  const json::value* params = definition.if_contains("ha-params");
  const json::value* sync_mode = definition.if_contains("ha-sync-mode");
  if (mode == nullptr) {
    return std::string(
        "ha-mode must be specified to specify ha-params, ha-sync-mode or ha-promote-on-shutdown");
  }
  const std::string m = mode->is_string() ? std::string(mode->get_string()) : "";
  if (m == "all") {
    if (params != nullptr) {
      return std::string("ha-mode=\"all\" does not take parameters");
    }
  } else if (m == "exactly") {
    if (params == nullptr) {
      return std::string("ha-mode=\"exactly\" takes an integer, none given");
    }
    if (!positive_integer(*params)) {
      return "ha-mode=\"exactly\" takes an integer, " + erlang_term(*params) + " given";
    }
  } else if (m == "nodes") {
    if (params == nullptr || !params->is_array()) {
      return "ha-mode=\"nodes\" takes a list, " +
             (params == nullptr ? std::string("none") : erlang_term(*params)) + " given";
    }
    if (params->get_array().empty()) {
      return std::string("ha-mode=\"nodes\" list must be non-empty");
    }
    json::array invalid;
    for (const auto& item : params->get_array()) {
      if (!item.is_string()) {
        invalid.push_back(item);
      }
    }
    if (!invalid.empty()) {
      return "ha-mode=\"nodes\" takes a list of strings, " + erlang_term(invalid) + " given";
    }
  } else {
    return erlang_term(*mode) + " is not a valid ha-mode value";
  }
  if (sync_mode != nullptr &&
      !(sync_mode->is_string() &&
        (sync_mode->get_string() == "manual" || sync_mode->get_string() == "automatic"))) {
    return "ha-sync-mode must be \"manual\" or \"automatic\", got " + erlang_term(*sync_mode);
  }
  return std::nullopt;
}

std::optional<std::string> validate_definition(const json::object& definition, bool mirroring) {
  if (definition.empty()) {
    return std::string("no policy provided");
  }
  bool any_ha = false;
  json::array unrecognised;
  std::map<std::string, json::value> sorted;  // the server sees the keys sorted
  for (const auto& item : definition) {
    sorted[std::string(item.key())] = item.value();
  }
  for (const auto& [key, value] : sorted) {
    if (mirroring && kHaKeys.count(key) != 0) {
      any_ha = true;
    } else if (kOtherKeys.count(key) != 0) {
      if (kLengthKeys.count(key) != 0 &&
          !(value.is_uint64() || (value.is_int64() && value.get_int64() >= 0))) {
        return erlang_term(value) + " is not a valid maximum length";
      }
    } else {
      unrecognised.push_back(json::array{json::string(key), value});
    }
  }
  if (any_ha) {
    if (auto error = validate_ha(definition)) {
      return error;
    }
  }
  if (!unrecognised.empty()) {
    // A proplist of {Key, Value} tuples: [{<<"x-bogus">>,1}]
    std::string list = "[";
    for (const auto& pair : unrecognised) {
      const auto& items = pair.get_array();
      list += (list.size() > 1 ? "," : "") + std::string("{") + erlang_term(items[0]) + "," +
              erlang_term(items[1]) + "}";
    }
    return list + "] are not recognised policy settings";
  }
  return std::nullopt;
}

bool has_ha_key(const json::object& definition) {
  return std::any_of(definition.begin(), definition.end(),
                     [](const auto& item) { return kHaKeys.count(std::string(item.key())) != 0; });
}

}  // namespace

std::optional<std::string> RabbitBroker::validate_policy(const json::object& body,
                                                         BrokerPolicy& out) const {
  // rabbit_policy's parameter validation order: priority, pattern, apply-to, definition.
  if (const auto* priority = body.if_contains("priority")) {
    if (!priority->is_number()) {
      return "priority should be a number, actually was " + erlang_term(*priority);
    }
    out.priority = *priority;
  }
  const json::value& pattern = body.at("pattern");
  if (!pattern.is_string()) {
    return "pattern should be regular expression but is invalid: " + erlang_term(pattern);
  }
  try {
    std::regex check(std::string(pattern.get_string()));
  } catch (const std::regex_error&) {
    return std::string("pattern should be regular expression but is invalid: {\"") +
           "invalid pattern\",0}";
  }
  out.pattern = std::string(pattern.get_string());
  if (const auto* apply_to = body.if_contains("apply-to")) {
    const std::string value = apply_to->is_string() ? std::string(apply_to->get_string()) : "";
    if (value != "queues" && value != "exchanges" && value != "all") {
      return "apply-to '" + (apply_to->is_string() ? value : erlang_term(*apply_to)) +
             "' unrecognised; should be 'queues', 'exchanges' or 'all'";
    }
    out.apply_to = value;
  }
  const json::value& definition = body.at("definition");
  if (!definition.is_object()) {
    return "parse error while reading policy: " + erlang_term(definition);
  }
  if (auto error = validate_definition(definition.get_object(), has_mirroring())) {
    return error;
  }
  out.definition = definition.get_object();
  return std::nullopt;
}

const BrokerPolicy* RabbitBroker::effective_policy(const BrokerDb& db,
                                                   const BrokerQueue& queue) const {
  const BrokerPolicy* best = nullptr;
  double best_priority = 0;
  for (const auto& [key, policy] : db.policies) {
    if (policy.vhost != queue.vhost || policy.apply_to == "exchanges") {
      continue;
    }
    // A policy with a key the queue type does not support is skipped whole: quorum queues
    // support no ha-* key.
    if (queue.type == "quorum" && has_ha_key(policy.definition)) {
      continue;
    }
    if (!std::regex_search(queue.name, std::regex(policy.pattern))) {
      continue;
    }
    const double priority = policy.priority.to_number<double>();
    if (best == nullptr || priority > best_priority) {
      best = &policy;
      best_priority = priority;
    }
  }
  return best;
}

}  // namespace swarmop::sim::rabbitmq
