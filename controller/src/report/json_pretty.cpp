#include "report/json_pretty.hpp"

#include <boost/json.hpp>
#include <string>

namespace swarmop::report {

namespace json = boost::json;

namespace {

void print(const json::value& value, std::ostream& out, int depth) {
  const std::string indent(static_cast<std::size_t>(depth + 1) * 2, ' ');
  const std::string closing(static_cast<std::size_t>(depth) * 2, ' ');
  if (value.is_object() && !value.get_object().empty()) {
    out << "{\n";
    bool first = true;
    for (const auto& member : value.get_object()) {
      out << (first ? "" : ",\n") << indent << json::serialize(json::string(member.key())) << ": ";
      print(member.value(), out, depth + 1);
      first = false;
    }
    out << '\n' << closing << '}';
  } else if (value.is_array() && !value.get_array().empty()) {
    out << "[\n";
    bool first = true;
    for (const auto& item : value.get_array()) {
      out << (first ? "" : ",\n") << indent;
      print(item, out, depth + 1);
      first = false;
    }
    out << '\n' << closing << ']';
  } else {
    out << json::serialize(value);
  }
}

}  // namespace

void print_json_pretty(const json::value& value, std::ostream& out) {
  print(value, out, 0);
  out << '\n';
}

}  // namespace swarmop::report
