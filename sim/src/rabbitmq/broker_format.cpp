#include <cstdlib>
#include <sstream>

#include "broker.hpp"

namespace swarmop::sim::rabbitmq {

namespace {

std::string raw_term(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return "<<\"" + std::string(value.get_string()) + "\">>";
    case json::kind::int64:
      return std::to_string(value.get_int64());
    case json::kind::uint64:
      return std::to_string(value.get_uint64());
    case json::kind::double_: {
      std::ostringstream out;
      out << value.get_double();
      return out.str();
    }
    case json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    case json::kind::null:
      return "null";
    case json::kind::array: {
      std::string out = "[";
      for (const auto& item : value.get_array()) {
        out += (out.size() > 1 ? "," : "") + raw_term(item);
      }
      return out + "]";
    }
    case json::kind::object: {
      // The server decodes objects to maps; key order is the sorted one.
      std::map<std::string, std::string> sorted;
      for (const auto& [key, item] : value.get_object()) {
        sorted[std::string(key)] = raw_term(item);
      }
      std::string out = "#{";
      for (const auto& [key, item] : sorted) {
        out += (out.size() > 2 ? "," : "") + std::string("<<\"") + key + "\">> => " + item;
      }
      return out + "}";
    }
  }
  return "undefined";
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string erlang_term(const json::value& value) {
  return html_escape(raw_term(value));
}

std::string key_missing(const std::vector<std::string>& keys) {
  std::string out = "[";
  for (const auto& key : keys) {
    out += (out.size() > 1 ? ",\n " : "") + std::string("{key_missing,") + key + "}";
  }
  return out + "]";
}

HttpAnswer json_answer(int status, const json::value& body) {
  HttpAnswer answer;
  answer.status = status;
  answer.body = json::serialize(body);
  answer.headers.emplace_back("content-type", "application/json");
  return answer;
}

HttpAnswer empty_answer(int status) {
  HttpAnswer answer;
  answer.status = status;
  return answer;
}

HttpAnswer not_found() {
  return json_answer(404, json::object{{"error", "Object Not Found"}, {"reason", "Not Found"}});
}

HttpAnswer bad_request_json(const json::value& reason) {
  return json_answer(400, json::object{{"error", "bad_request"}, {"reason", reason}});
}

HttpAnswer bad_request(const std::string& reason) {
  return bad_request_json(json::value(json::string(reason)));
}

json::value select_columns(json::value value, const std::map<std::string, std::string>& query) {
  const auto columns = query.find("columns");
  if (columns == query.end() || columns->second.empty()) {
    return value;
  }
  std::set<std::string> keep;
  std::stringstream list(columns->second);
  for (std::string column; std::getline(list, column, ',');) {
    keep.insert(column);
  }
  const auto filter = [&keep](json::object& object) {
    json::object out;
    for (const auto& [key, item] : object) {
      if (keep.count(std::string(key)) != 0) {
        out[key] = item;
      }
    }
    object = std::move(out);
  };
  if (value.is_array()) {
    for (auto& item : value.get_array()) {
      if (item.is_object()) {
        filter(item.get_object());
      }
    }
  } else if (value.is_object()) {
    filter(value.get_object());
  }
  return value;
}

std::string base64_decode(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (const char c : text) {
    if (c == '=') {
      break;
    }
    const auto at = kAlphabet.find(c);
    if (at == std::string::npos) {
      return {};
    }
    bits = (bits << 6) | static_cast<unsigned>(at);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const std::string hex = text.substr(i + 1, 2);
      char* end = nullptr;
      const long code = std::strtol(hex.c_str(), &end, 16);
      if (end == hex.c_str() + 2) {
        out += static_cast<char>(code);
        i += 2;
        continue;
      }
    }
    out += text[i];  // a path keeps '+' (only forms turn it into a space)
  }
  return out;
}

}  // namespace swarmop::sim::rabbitmq
