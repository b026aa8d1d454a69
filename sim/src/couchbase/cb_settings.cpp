// Bucket replica updates and the auto-failover settings. Reference §2.2, §5.1-5.3.
#include <boost/json.hpp>
#include <regex>
#include <set>

#include "cb_model.hpp"

namespace swarmop::sim::couchbase {

namespace json = boost::json;

namespace {

bool is_integer(const std::string& text) {
  static const std::regex kInteger("-?[0-9]{1,9}");
  return std::regex_match(text, kInteger);
}

//! The validator framework's integer check: empty when fine, else its message.
std::string integer_error(const std::string& text, int min, int max) {
  if (!is_integer(text)) {
    return "The value must be an integer";
  }
  const int number = std::stoi(text);
  if (number < min || number > max) {
    return "The value must be in range from " + std::to_string(min) + " to " + std::to_string(max) +
           " (inclusive)";
  }
  return "";
}

}  // namespace

Reply ClusterModel::update_bucket(const std::string& name, const Form& form, UnixNanos) {
  BucketState* target = nullptr;
  for (auto& b : buckets_) {
    if (b.name == name) {
      target = &b;
    }
  }
  if (target == nullptr) {
    return Reply::text(404, "Requested resource not found.\r\n");
  }
  if (rebalance_running()) {
    return Reply::text(503, "Cannot update bucket while rebalance is running.");
  }
  const auto replicas = value(form, "replicaNumber");
  if (!replicas) {
    return Reply::empty();
  }
  std::string error;
  if (!is_integer(*replicas)) {
    error = "The replica number must be specified and must be a non-negative integer.";
  } else if (std::stoi(*replicas) < 0) {
    error = "Replica number must be equal to or greater than 0";
  } else if (std::stoi(*replicas) > 3) {
    error = "Replica number larger than 3 is not supported.";
  }
  if (!error.empty()) {
    // The quota summaries ns_server computes alongside; the operator reads only "errors".
    const json::object summaries{
        {"ramSummary", json::object{{"total", 2147483648LL}, {"otherBuckets", 0}}},
        {"hddSummary", json::object{{"total", 107374182400LL}, {"otherData", 0}}}};
    return Reply::json(400, json::object{{"errors", json::object{{"replicaNumber", error}}},
                                         {"summaries", summaries}});
  }
  // Too few data nodes is no error: the extra replicas are simply not placed.
  target->replica_number = std::stoi(*replicas);
  return Reply::empty();
}

Reply ClusterModel::set_auto_failover(const Form& form, UnixNanos) {
  static const std::set<std::string> kKeys = {"enabled",
                                              "timeout",
                                              "maxCount",
                                              "disableMaxCount",
                                              "failoverOnDataDiskIssues[enabled]",
                                              "failoverOnDataDiskIssues[timePeriod]",
                                              "canAbortRebalance",
                                              "failoverPreserveDurabilityMajority",
                                              "uuid"};
  json::object errors;
  for (const auto& [key, v] : form) {
    if (!kKeys.contains(key)) {
      errors[key] = "Unsupported key";
    }
  }
  const auto enabled = value(form, "enabled");
  const auto timeout = value(form, "timeout");
  const auto max_count = value(form, "maxCount");
  if (!enabled) {
    errors["enabled"] = "The value must be supplied";
    if (timeout) {
      errors["_"] = "enabled must be true for timeout to take effect";
    }
  } else if (*enabled != "true" && *enabled != "false") {
    errors["enabled"] = "The value must be one of the following: [true,false]";
  }
  const bool turning_on = enabled && *enabled == "true";
  if (turning_on) {
    if (!timeout) {
      errors["_"] = "enabled is true. A value must be supplied for timeout";
    } else if (const auto error = integer_error(*timeout, 1, 3600); !error.empty()) {
      errors["timeout"] = error;
    }
    if (max_count) {
      if (const auto error = integer_error(*max_count, 1, 100); !error.empty()) {
        errors["maxCount"] = error;
      }
    }
  }
  if (!errors.empty()) {
    return Reply::json(400, json::object{{"errors", errors}});
  }
  auto_failover_.enabled = turning_on;
  if (turning_on) {
    auto_failover_.timeout_seconds = std::stoi(*timeout);
    if (max_count) {
      auto_failover_.max_count = std::stoi(*max_count);
    }
  }
  return Reply::empty();
}

Reply ClusterModel::reset_auto_failover_count() {
  auto_failover_.count = 0;
  return Reply::empty();
}

}  // namespace swarmop::sim::couchbase
