#pragma once

// Reading fields deep in a Docker spec as the engine returned it (internal to the reconcilers).
#include <boost/json.hpp>
#include <initializer_list>
#include <string>
#include <string_view>

namespace swarmop::reconcilers::spec_paths {

//! The value at `path` (object keys from `spec` down), or nullptr where a key is missing or a
//! step is not an object.
inline const boost::json::value* value_at(const boost::json::object& spec,
                                          std::initializer_list<std::string_view> path) {
  const boost::json::object* object = &spec;
  const boost::json::value* value = nullptr;
  for (auto key : path) {
    if (object == nullptr) {
      return nullptr;
    }
    value = object->if_contains(key);
    if (value == nullptr) {
      return nullptr;
    }
    object = value->if_object();
  }
  return value;
}

//! The object at `path`, or nullptr.
inline const boost::json::object* object_at(const boost::json::object& spec,
                                            std::initializer_list<std::string_view> path) {
  const boost::json::value* value = value_at(spec, path);
  return value != nullptr ? value->if_object() : nullptr;
}

//! The string at `path`, or "" when absent or not a string.
inline std::string string_at(const boost::json::object& spec,
                             std::initializer_list<std::string_view> path) {
  const boost::json::value* value = value_at(spec, path);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : "";
}

}  // namespace swarmop::reconcilers::spec_paths
