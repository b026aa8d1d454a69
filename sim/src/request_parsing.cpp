#include "request_parsing.hpp"

#include <boost/json/parse.hpp>
#include <charconv>

namespace swarmop::sim::request {

namespace json = boost::json;

namespace {

std::string go_kind(const json::value& value) {
  switch (value.kind()) {
    case json::kind::array:
      return "array";
    case json::kind::string:
      return "string";
    case json::kind::bool_:
      return "bool";
    case json::kind::null:
      return "null";
    default:
      return "number";
  }
}

}  // namespace

std::optional<json::object> json_object_body(const std::string& body, const std::string& go_type,
                                             std::string& error) {
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    error = "got EOF while reading request body";
    return std::nullopt;
  }
  boost::system::error_code code;
  json::value parsed = json::parse(body, code);
  if (code) {
    // encoding/json names the first character it could not read.
    const char bad = body[first];
    if (bad == '{' || bad == '[' || bad == '"') {
      error = "unexpected EOF";
    } else {
      error = std::string("invalid character '") + bad + "' looking for beginning of value";
    }
    return std::nullopt;
  }
  if (parsed.is_null()) {
    return json::object{};  // Go decodes `null` into an empty struct
  }
  if (!parsed.is_object()) {
    error = "json: cannot unmarshal " + go_kind(parsed) + " into Go value of type " + go_type;
    return std::nullopt;
  }
  return std::move(parsed.get_object());
}

std::optional<std::uint64_t> object_version(const std::optional<std::string>& raw,
                                            const std::string& kind, std::string& error) {
  const std::string text = raw.value_or("");
  std::uint64_t value = 0;
  const auto [end, code] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || code != std::errc{} || end != text.data() + text.size()) {
    const std::string reason =
        code == std::errc::result_out_of_range ? "value out of range" : "invalid syntax";
    error = "invalid " + kind + " version '" + text + "': strconv.ParseUint: parsing \"" + text +
            "\": " + reason;
    return std::nullopt;
  }
  return value;
}

std::optional<Filters> filters(const std::string& raw, std::string& error) {
  Filters out;
  if (raw.empty()) {
    return out;
  }
  boost::system::error_code code;
  json::value parsed = json::parse(raw, code);
  if (code || !parsed.is_object()) {
    error = "invalid filter '" + raw + "'";
    return std::nullopt;
  }
  for (const auto& [key, values] : parsed.get_object()) {
    auto& list = out[std::string(key)];
    if (values.is_array()) {
      for (const auto& v : values.get_array()) {
        if (v.is_string()) {
          list.emplace_back(v.get_string());
        }
      }
    } else if (values.is_object()) {
      for (const auto& [v, enabled] : values.get_object()) {
        if (enabled.is_bool() && enabled.get_bool()) {
          list.emplace_back(v);
        }
      }
    }
  }
  return out;
}

bool matches(const Filters& filters, const std::string& key, const std::string& value) {
  const auto it = filters.find(key);
  if (it == filters.end() || it->second.empty()) {
    return true;
  }
  for (const auto& wanted : it->second) {
    if (wanted == value) {
      return true;
    }
  }
  return false;
}

}  // namespace swarmop::sim::request
