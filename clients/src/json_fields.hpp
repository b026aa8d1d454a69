#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

//! Tolerant readers for JSON from servers: a missing field or one of the wrong type reads as
//! empty instead of throwing, so one odd field never hides the rest of a response. Decoders
//! check the fields they cannot do without themselves.
namespace swarmop::clients::json_fields {

inline const boost::json::object& empty_object() {
  static const boost::json::object kEmpty;
  return kEmpty;
}

inline const boost::json::object& object(const boost::json::object& parent, std::string_view key) {
  const auto* value = parent.if_contains(key);
  return value != nullptr && value->is_object() ? value->get_object() : empty_object();
}

inline const boost::json::array* array(const boost::json::object& parent, std::string_view key) {
  const auto* value = parent.if_contains(key);
  return value != nullptr && value->is_array() ? &value->get_array() : nullptr;
}

inline std::string string(const boost::json::object& parent, std::string_view key) {
  const auto* value = parent.if_contains(key);
  return value != nullptr && value->is_string() ? std::string(value->get_string()) : std::string();
}

inline bool boolean(const boost::json::object& parent, std::string_view key) {
  const auto* value = parent.if_contains(key);
  return value != nullptr && value->is_bool() && value->get_bool();
}

// A double converted to an integer type it does not fit is undefined behaviour, and Boost.JSON
// reads an integer literal too big for 64 bits ("Index": 100000000000000000000) as a double: a
// double outside the range reads as empty, like a negative count.
inline constexpr double kTwoTo63 = 9223372036854775808.0;
inline constexpr double kTwoTo64 = 18446744073709551616.0;

inline std::uint64_t unsigned_integer(const boost::json::object& parent, std::string_view key) {
  const auto* value = parent.if_contains(key);
  if (value == nullptr) {
    return 0;
  }
  if (value->is_uint64()) {
    return value->get_uint64();
  }
  if (value->is_int64() && value->get_int64() >= 0) {
    return static_cast<std::uint64_t>(value->get_int64());
  }
  if (value->is_double() && value->get_double() >= 0 && value->get_double() < kTwoTo64) {
    return static_cast<std::uint64_t>(value->get_double());
  }
  return 0;
}

inline std::int64_t integer(const boost::json::object& parent, std::string_view key) {
  const auto* value = parent.if_contains(key);
  if (value == nullptr) {
    return 0;
  }
  if (value->is_int64()) {
    return value->get_int64();
  }
  if (value->is_uint64()) {
    return static_cast<std::int64_t>(value->get_uint64());
  }
  if (value->is_double() && value->get_double() >= -kTwoTo63 && value->get_double() < kTwoTo63) {
    return static_cast<std::int64_t>(value->get_double());
  }
  return 0;
}

inline std::map<std::string, std::string> string_map(const boost::json::object& parent,
                                                     std::string_view key) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : object(parent, key)) {
    if (value.is_string()) {
      out[std::string(name)] = std::string(value.get_string());
    }
  }
  return out;
}

inline std::vector<std::string> strings(const boost::json::object& parent, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* items = array(parent, key)) {
    for (const auto& item : *items) {
      if (item.is_string()) {
        out.emplace_back(item.get_string());
      }
    }
  }
  return out;
}

}  // namespace swarmop::clients::json_fields
