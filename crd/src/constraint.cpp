#include "swarmop/model/constraint.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include "safe_regex.hpp"

namespace swarmop::model {

namespace {

constexpr std::string_view kNodeLabelPrefix = "node.labels.";
constexpr std::string_view kEngineLabelPrefix = "engine.labels.";

// The same key and value grammar as swarmkit's constraint parser, so that anything accepted
// here is accepted by the engine and the reverse.
const std::regex& key_pattern() {
  static const std::regex pattern = detail::make_regex(R"(^[a-zA-Z_][a-zA-Z0-9\-_.]+$)");
  return pattern;
}
const std::regex& value_pattern() {
  static const std::regex pattern = detail::make_regex(R"(^[a-zA-Z0-9:\-_\s.*()?+\[\]\\^$|/]+$)");
  return pattern;
}

std::string trim(std::string_view text) {
  const auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!text.empty() && is_space(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

bool equal_fold(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool has_prefix_fold(std::string_view text, std::string_view prefix) {
  return text.size() > prefix.size() && equal_fold(text.substr(0, prefix.size()), prefix);
}

Match compare(const Constraint& c, std::string_view actual) {
  const bool equal = equal_fold(c.value, actual);
  return (c.op == Constraint::Op::kEqual) == equal ? Match::kYes : Match::kNo;
}

Match compare_label(const Constraint& c, const std::map<std::string, std::string>& labels,
                    std::string_view prefix) {
  // A missing label compares as the empty string, as in the engine's scheduler.
  const auto it = labels.find(c.attribute.substr(prefix.size()));
  return compare(c, it == labels.end() ? std::string_view() : std::string_view(it->second));
}

}  // namespace

bool Constraint::is_node_label() const {
  return has_prefix_fold(attribute, kNodeLabelPrefix);
}

std::string Constraint::label_key() const {
  return is_node_label() ? attribute.substr(kNodeLabelPrefix.size()) : std::string();
}

std::string Constraint::to_string() const {
  return attribute + (op == Op::kEqual ? " == " : " != ") + value;
}

std::optional<Constraint> parse_constraint(std::string_view text, std::string* error) {
  const auto fail = [error](std::string message) -> std::optional<Constraint> {
    if (error != nullptr) {
      *error = std::move(message);
    }
    return std::nullopt;
  };
  Constraint out;
  std::size_t op_pos = text.find("==");
  if (op_pos != std::string_view::npos) {
    out.op = Constraint::Op::kEqual;
  } else if ((op_pos = text.find("!=")) != std::string_view::npos) {
    out.op = Constraint::Op::kNotEqual;
  } else {
    return fail("expected one operator from ==, !=");
  }
  out.attribute = trim(text.substr(0, op_pos));
  out.value = trim(text.substr(op_pos + 2));
  if (!std::regex_match(out.attribute, key_pattern())) {
    return fail("key '" + out.attribute + "' is invalid");
  }
  if (!std::regex_match(out.value, value_pattern())) {
    return fail("value '" + out.value + "' is invalid");
  }
  static constexpr std::string_view kFixedKeys[] = {"node.id", "node.hostname", "node.role",
                                                    "node.platform.os", "node.platform.arch"};
  const bool known =
      std::any_of(std::begin(kFixedKeys), std::end(kFixedKeys),
                  [&](std::string_view key) { return equal_fold(out.attribute, key); }) ||
      has_prefix_fold(out.attribute, kNodeLabelPrefix) ||
      has_prefix_fold(out.attribute, kEngineLabelPrefix);
  if (!known) {
    return fail("unknown attribute '" + out.attribute +
                "' (expected node.id, node.hostname, node.role, node.platform.os, "
                "node.platform.arch, node.labels.KEY or engine.labels.KEY)");
  }
  return out;
}

Match evaluate(const Constraint& c, const NodeAttributes& node) {
  const std::string& key = c.attribute;
  if (has_prefix_fold(key, kNodeLabelPrefix)) {
    return compare_label(c, node.labels, kNodeLabelPrefix);
  }
  if (has_prefix_fold(key, kEngineLabelPrefix)) {
    if (!node.engine_labels) {
      return Match::kUnknown;
    }
    return compare_label(c, *node.engine_labels, kEngineLabelPrefix);
  }
  const auto known_or_unknown = [&c](const std::string& actual) {
    return actual.empty() ? Match::kUnknown : compare(c, actual);
  };
  if (equal_fold(key, "node.hostname")) {
    return compare(c, node.hostname);
  }
  if (equal_fold(key, "node.role")) {
    return compare(c, node.role);
  }
  if (equal_fold(key, "node.id")) {
    return known_or_unknown(node.id);
  }
  if (equal_fold(key, "node.platform.os")) {
    return known_or_unknown(node.platform_os);
  }
  if (equal_fold(key, "node.platform.arch")) {
    return known_or_unknown(node.platform_arch);
  }
  return Match::kNo;  // the engine never places a task on a key it does not know
}

}  // namespace swarmop::model
