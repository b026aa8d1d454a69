#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "swarmop/model/diagnostic.hpp"

namespace swarmop::model::detail {

//! A YAML value with its source position, its scalar type resolved by the YAML 1.2 core
//! schema (so `true` is a boolean and `"true"` a string), and its keys kept in file order.
//! Everything after parsing (schema validation, defaults, decoding, semantic checks) works on
//! this tree, so every finding can point at a line and column.
struct MarkedEntry;

struct MarkedNode {
  enum class Kind { kNull, kBool, kInt, kFloat, kString, kMap, kSeq };

  Kind kind = Kind::kNull;
  Mark mark;
  bool synthesized = false;  //!< filled in from a schema default, not written in the file
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
  std::string text;  //!< string value, or the source text of any scalar

  using Entry = MarkedEntry;
  std::vector<MarkedEntry> entries;  //!< kMap, in file order
  std::vector<MarkedNode> items;     //!< kSeq

  bool is_map() const { return kind == Kind::kMap; }
  bool is_seq() const { return kind == Kind::kSeq; }
  bool is_string() const { return kind == Kind::kString; }
  bool is_number() const { return kind == Kind::kInt || kind == Kind::kFloat; }
  //! JSON Schema's notion of integer: any number with no fractional part.
  bool is_integral() const;
  double as_double() const { return kind == Kind::kInt ? static_cast<double>(integer) : number; }

  const MarkedNode* find(std::string_view key) const;
  MarkedNode* find(std::string_view key);

  //! The value as JSON (what `validate --print-json` prints and the JSON Schema sees).
  boost::json::value to_json() const;
  //! Builds a synthesized node from a JSON value (schema defaults), marked at `where`.
  static MarkedNode from_json(const boost::json::value& value, Mark where);
};

//! One key of a mapping: the key's own position is what "unknown field" errors point at.
struct MarkedEntry {
  std::string key;
  Mark key_mark;
  MarkedNode value;
};

std::string_view kind_name(MarkedNode::Kind kind);

}  // namespace swarmop::model::detail
