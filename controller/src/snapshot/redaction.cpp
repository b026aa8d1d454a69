#include "snapshot/redaction.hpp"

#include <boost/json.hpp>
#include <boost/uuid/detail/sha1.hpp>
#include <cstdio>

namespace swarmop::snapshot {

namespace json = boost::json;

namespace {

//! Each string of the array digested whole (args and commands have no names to keep).
void digest_strings(json::object& container, std::string_view key, std::string_view salt) {
  auto* items = container.if_contains(key);
  if (items == nullptr || !items->is_array()) {
    return;
  }
  for (auto& item : items->get_array()) {
    if (item.is_string()) {
      item = digest(salt, item.get_string());
    }
  }
}

//! "NAME=value" becomes "NAME=redacted:…"; the value is digested with its name, so two
//! variables holding the same password do not show as equal. The variables the Couchbase
//! reconciler reads stay as they are (see kept_in_clear).
void digest_env(json::object& container, std::string_view salt) {
  auto* env = container.if_contains("Env");
  if (env == nullptr || !env->is_array()) {
    return;
  }
  for (auto& entry : env->get_array()) {
    if (!entry.is_string()) {
      continue;
    }
    const std::string text(entry.get_string());
    const std::size_t equals = text.find('=');
    if (equals == std::string::npos || kept_in_clear(std::string_view(text).substr(0, equals))) {
      continue;  // a name alone carries no value
    }
    entry = text.substr(0, equals + 1) + digest(salt, text);
  }
}

}  // namespace

std::string digest(std::string_view salt, std::string_view value) {
  boost::uuids::detail::sha1 sha;
  sha.process_bytes(salt.data(), salt.size());
  // A separator no salt contains (hex), so ("ab", "c") and ("a", "bc") differ.
  sha.process_byte(0);
  sha.process_bytes(value.data(), value.size());
  boost::uuids::detail::sha1::digest_type words;
  sha.get_digest(words);
  char hex[41];
  for (int i = 0; i < 5; ++i) {
    std::snprintf(hex + i * 8, 9, "%08x", words[i]);
  }
  return std::string(kDigestPrefix) + std::string(hex, 20);
}

json::object redact_spec(json::object spec, std::string_view salt) {
  auto* task = spec.if_contains("TaskTemplate");
  if (task == nullptr || !task->is_object()) {
    return spec;
  }
  auto* container = task->get_object().if_contains("ContainerSpec");
  if (container == nullptr || !container->is_object()) {
    return spec;
  }
  auto& object = container->get_object();
  digest_env(object, salt);
  digest_strings(object, "Args", salt);
  digest_strings(object, "Command", salt);
  if (auto* health = object.if_contains("Healthcheck"); health && health->is_object()) {
    digest_strings(health->get_object(), "Test", salt);
  }
  return spec;
}

bool kept_in_clear(std::string_view variable) {
  return variable == "db_host" || variable == "TYPE" || variable == "AUTO_REBALANCE";
}

model::DesiredState digest_desired(model::DesiredState desired, std::string_view salt) {
  for (auto& [name, service] : desired.services) {
    for (auto& [variable, value] : service.env) {
      if (!kept_in_clear(variable)) {
        value = digest(salt, variable + '=' + value);
      }
    }
  }
  return desired;
}

}  // namespace swarmop::snapshot
