#include "marked_node.hpp"

#include <boost/json.hpp>
#include <cmath>

namespace swarmop::model::detail {

bool MarkedNode::is_integral() const {
  if (kind == Kind::kInt) {
    return true;
  }
  return kind == Kind::kFloat && std::isfinite(number) && std::trunc(number) == number;
}

const MarkedNode* MarkedNode::find(std::string_view key) const {
  for (const Entry& entry : entries) {
    if (entry.key == key) {
      return &entry.value;
    }
  }
  return nullptr;
}

MarkedNode* MarkedNode::find(std::string_view key) {
  return const_cast<MarkedNode*>(static_cast<const MarkedNode*>(this)->find(key));
}

boost::json::value MarkedNode::to_json() const {
  switch (kind) {
    case Kind::kNull:
      return nullptr;
    case Kind::kBool:
      return boolean;
    case Kind::kInt:
      return integer;
    case Kind::kFloat:
      return number;
    case Kind::kString:
      return boost::json::string(text);
    case Kind::kMap: {
      boost::json::object object;
      for (const Entry& entry : entries) {
        object[entry.key] = entry.value.to_json();
      }
      return object;
    }
    case Kind::kSeq: {
      boost::json::array array;
      for (const MarkedNode& item : items) {
        array.push_back(item.to_json());
      }
      return array;
    }
  }
  return nullptr;
}

MarkedNode MarkedNode::from_json(const boost::json::value& value, Mark where) {
  MarkedNode node;
  node.mark = where;
  node.synthesized = true;
  switch (value.kind()) {
    case boost::json::kind::null:
      node.kind = Kind::kNull;
      break;
    case boost::json::kind::bool_:
      node.kind = Kind::kBool;
      node.boolean = value.get_bool();
      break;
    case boost::json::kind::int64:
      node.kind = Kind::kInt;
      node.integer = value.get_int64();
      break;
    case boost::json::kind::uint64:
      node.kind = Kind::kInt;
      node.integer = static_cast<std::int64_t>(value.get_uint64());
      break;
    case boost::json::kind::double_:
      node.kind = Kind::kFloat;
      node.number = value.get_double();
      break;
    case boost::json::kind::string:
      node.kind = Kind::kString;
      node.text = value.get_string().c_str();
      break;
    case boost::json::kind::array:
      node.kind = Kind::kSeq;
      for (const auto& item : value.get_array()) {
        node.items.push_back(from_json(item, where));
      }
      break;
    case boost::json::kind::object:
      node.kind = Kind::kMap;
      for (const auto& [key, item] : value.get_object()) {
        node.entries.push_back({std::string(key), where, from_json(item, where)});
      }
      break;
  }
  return node;
}

std::string_view kind_name(MarkedNode::Kind kind) {
  switch (kind) {
    case MarkedNode::Kind::kNull:
      return "null";
    case MarkedNode::Kind::kBool:
      return "boolean";
    case MarkedNode::Kind::kInt:
      return "integer";
    case MarkedNode::Kind::kFloat:
      return "number";
    case MarkedNode::Kind::kString:
      return "string";
    case MarkedNode::Kind::kMap:
      return "object";
    case MarkedNode::Kind::kSeq:
      return "array";
  }
  return "unknown";
}

}  // namespace swarmop::model::detail
