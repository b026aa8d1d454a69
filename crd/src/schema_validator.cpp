#include "schema_validator.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>

#include "safe_regex.hpp"
#include "suggest.hpp"

namespace swarmop::model::detail {

namespace json = boost::json;

namespace {

// Keywords that only annotate: they never make a document invalid.
const std::set<std::string, std::less<>> kAnnotationKeywords = {
    "$schema", "$id",      "$comment",   "$defs",    "title",     "description",
    "default", "examples", "deprecated", "readOnly", "writeOnly", "markdownDescription"};

const std::set<std::string, std::less<>> kValidationKeywords = {"$ref",
                                                                "type",
                                                                "enum",
                                                                "const",
                                                                "pattern",
                                                                "minLength",
                                                                "maxLength",
                                                                "minimum",
                                                                "maximum",
                                                                "exclusiveMinimum",
                                                                "exclusiveMaximum",
                                                                "minItems",
                                                                "maxItems",
                                                                "uniqueItems",
                                                                "required",
                                                                "properties",
                                                                "additionalProperties",
                                                                "propertyNames",
                                                                "minProperties",
                                                                "maxProperties",
                                                                "items",
                                                                "oneOf",
                                                                "anyOf",
                                                                "allOf",
                                                                "not",
                                                                "if",
                                                                "then",
                                                                "else",
                                                                "dependentRequired"};

// Regexes compiled once per pattern text; the schema is immutable after construction.
std::map<std::string, std::regex, std::less<>>& regex_cache() {
  static std::map<std::string, std::regex, std::less<>> cache;
  return cache;
}

const std::regex& compiled(std::string_view pattern) {
  auto& cache = regex_cache();
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    it = cache.emplace(std::string(pattern), make_regex(std::string(pattern))).first;
  }
  return it->second;
}

std::string describe_value(const MarkedNode& node) {
  std::string text;
  switch (node.kind) {
    case MarkedNode::Kind::kString:
      text = json::serialize(json::value(json::string(node.text)));
      break;
    case MarkedNode::Kind::kMap:
      return "an object";
    case MarkedNode::Kind::kSeq:
      return "an array";
    case MarkedNode::Kind::kNull:
      return "null";
    default:
      // Numbers and booleans as the file spells them (2.5, not 2.5E0).
      text = node.synthesized || node.text.empty() ? json::serialize(node.to_json()) : node.text;
  }
  if (text.size() > 60) {
    text = text.substr(0, 57) + "...";
  }
  return text;
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    out += (i == 0 ? "" : std::string(separator)) + words[i];
  }
  return out;
}

std::string member_path(const std::string& path, std::string_view key) {
  static const std::regex kSimple = make_regex(R"([A-Za-z_][A-Za-z0-9_-]*)");
  const std::string name(key);
  if (std::regex_match(name, kSimple)) {
    return path.empty() ? name : path + "." + name;
  }
  return path + "[" + json::serialize(json::value(json::string(name))) + "]";
}

bool type_matches(std::string_view type, const MarkedNode& node) {
  using Kind = MarkedNode::Kind;
  if (type == "integer") {
    return node.is_integral();
  }
  if (type == "number") {
    return node.is_number();
  }
  if (type == "string") {
    return node.kind == Kind::kString;
  }
  if (type == "boolean") {
    return node.kind == Kind::kBool;
  }
  if (type == "object") {
    return node.kind == Kind::kMap;
  }
  if (type == "array") {
    return node.kind == Kind::kSeq;
  }
  if (type == "null") {
    return node.kind == Kind::kNull;
  }
  return false;
}

bool json_equals(const MarkedNode& node, const json::value& value) {
  const json::value mine = node.to_json();
  if (mine.is_number() && value.is_number()) {
    return mine.to_number<double>() == value.to_number<double>();
  }
  return mine == value;
}

std::vector<std::string> property_names(const json::object& schema) {
  std::vector<std::string> names;
  if (const auto* properties = schema.if_contains("properties")) {
    for (const auto& [name, _] : properties->as_object()) {
      names.emplace_back(name);
    }
  }
  return names;
}

std::string value_text(const json::value& value) {
  return value.is_string() ? std::string(value.as_string().c_str()) : json::serialize(value);
}

// "got integer 3", "got null", "got object": the value itself only where it adds something.
std::string got(const MarkedNode& node) {
  const std::string kind(kind_name(node.kind));
  if (node.is_map() || node.is_seq() || node.kind == MarkedNode::Kind::kNull) {
    return "got " + kind;
  }
  return "got " + kind + " " + describe_value(node);
}

bool is_type_mismatch_here(const SchemaFinding& finding, const std::string& path) {
  return finding.path == path && finding.message.rfind("expected ", 0) == 0;
}

// How badly a oneOf/anyOf branch failed: a branch that failed only because the value has
// another type is the least likely to be what the author meant.
std::size_t branch_cost(const std::vector<SchemaFinding>& findings, const std::string& path) {
  const bool type_only = std::all_of(findings.begin(), findings.end(),
                                     [&](const auto& f) { return is_type_mismatch_here(f, path); });
  return findings.size() + (type_only ? 1000 : 0);
}

// For a oneOf of object forms, "{username, passwordFile} or {file}", from their `required`.
std::optional<std::string> describe_object_forms(const json::array& branches) {
  std::vector<std::string> forms;
  for (const auto& branch : branches) {
    const auto* required =
        branch.is_object() ? branch.as_object().if_contains("required") : nullptr;
    if (required == nullptr) {
      return std::nullopt;
    }
    std::vector<std::string> names;
    for (const auto& name : required->as_array()) {
      names.emplace_back(name.as_string());
    }
    forms.push_back("{" + join(names, ", ") + "}");
  }
  return join(forms, " or ");
}

}  // namespace

SchemaValidator::SchemaValidator(json::value schema) : schema_(std::move(schema)) {
  if (!schema_.is_object()) {
    throw std::invalid_argument("schema: the root must be an object");
  }
  check_keywords(schema_);
}

void SchemaValidator::check_keywords(const json::value& schema) const {
  if (!schema.is_object()) {
    return;
  }
  for (const auto& [keyword, value] : schema.as_object()) {
    if (kAnnotationKeywords.count(keyword) == 0 && kValidationKeywords.count(keyword) == 0) {
      throw std::invalid_argument("schema: unsupported keyword \"" + std::string(keyword) + "\"");
    }
    if (keyword == "pattern") {
      compiled(value.as_string());
    }
    if (keyword == "properties" || keyword == "$defs") {
      for (const auto& [_, sub] : value.as_object()) {
        check_keywords(sub);
      }
    } else if (keyword == "oneOf" || keyword == "anyOf" || keyword == "allOf") {
      for (const auto& sub : value.as_array()) {
        check_keywords(sub);
      }
    } else if (keyword == "items" || keyword == "additionalProperties" || keyword == "not" ||
               keyword == "if" || keyword == "then" || keyword == "else" ||
               keyword == "propertyNames") {
      check_keywords(value);
    }
  }
}

const json::object& SchemaValidator::resolve(const json::object& schema) const {
  const json::object* current = &schema;
  for (int hops = 0; hops < 32; ++hops) {
    const auto* ref = current->if_contains("$ref");
    if (ref == nullptr) {
      return *current;
    }
    const std::string_view target = ref->as_string();
    constexpr std::string_view kPrefix = "#/$defs/";
    if (target.substr(0, kPrefix.size()) != kPrefix) {
      throw std::invalid_argument("schema: only local #/$defs/ references are supported");
    }
    current =
        &schema_.as_object().at("$defs").as_object().at(target.substr(kPrefix.size())).as_object();
  }
  throw std::invalid_argument("schema: $ref chain too long");
}

std::vector<SchemaFinding> SchemaValidator::validate(const MarkedNode& document) const {
  std::vector<SchemaFinding> out;
  validate(schema_, document, "", out);
  return out;
}

void SchemaValidator::validate(const json::value& schema_value, const MarkedNode& node,
                               const std::string& path, std::vector<SchemaFinding>& out) const {
  if (schema_value.is_bool()) {
    // `true` accepts anything; `false` (as in "params": false) accepts nothing.
    if (!schema_value.as_bool()) {
      out.push_back({node.mark, path, "is not allowed here"});
    }
    return;
  }
  const json::object& schema = resolve(schema_value.as_object());
  if (const auto* type = schema.if_contains("type")) {
    std::vector<std::string> allowed;
    if (type->is_string()) {
      allowed.emplace_back(type->as_string());
    } else {
      for (const auto& t : type->as_array()) {
        allowed.emplace_back(t.as_string());
      }
    }
    const bool ok = std::any_of(allowed.begin(), allowed.end(),
                                [&](const std::string& t) { return type_matches(t, node); });
    if (!ok) {
      out.push_back({node.mark, path, "expected " + join(allowed, " or ") + ", " + got(node)});
      return;  // nothing else about a value of the wrong type is worth saying
    }
  }
  if (const auto* constant = schema.if_contains("const")) {
    if (!json_equals(node, *constant)) {
      out.push_back({node.mark, path,
                     "must be " + json::serialize(*constant) + ", not " + describe_value(node)});
    }
  }
  if (const auto* choices = schema.if_contains("enum")) {
    const auto& array = choices->as_array();
    const bool ok = std::any_of(array.begin(), array.end(),
                                [&](const json::value& v) { return json_equals(node, v); });
    if (!ok) {
      std::vector<std::string> names;
      for (const auto& v : array) {
        names.push_back(value_text(v));
      }
      std::string message = describe_value(node) + " is not one of: " + join(names, ", ");
      if (node.is_string()) {
        if (auto hint = closest_match(node.text, names)) {
          message += "; did you mean \"" + *hint + "\"?";
        }
      }
      out.push_back({node.mark, path, message});
    }
  }
  if (node.is_map()) {
    validate_object(schema, node, path, out);
  } else if (node.is_seq()) {
    if (const auto* min = schema.if_contains("minItems");
        min != nullptr && node.items.size() < min->to_number<std::size_t>()) {
      out.push_back({node.mark, path, "needs at least " + json::serialize(*min) + " item(s)"});
    }
    if (const auto* max = schema.if_contains("maxItems");
        max != nullptr && node.items.size() > max->to_number<std::size_t>()) {
      out.push_back({node.mark, path, "allows at most " + json::serialize(*max) + " item(s)"});
    }
    if (const auto* unique = schema.if_contains("uniqueItems"); unique && unique->as_bool()) {
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
          if (node.items[i].to_json() == node.items[j].to_json()) {
            out.push_back({node.items[i].mark, path + "[" + std::to_string(i) + "]",
                           "repeats item " + std::to_string(j)});
          }
        }
      }
    }
    if (const auto* items = schema.if_contains("items")) {
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        validate(*items, node.items[i], path + "[" + std::to_string(i) + "]", out);
      }
    }
  } else {
    validate_scalar(schema, node, path, out);
  }
  validate_combinators(schema, node, path, out);
}

void SchemaValidator::validate_object(const json::object& schema, const MarkedNode& node,
                                      const std::string& path,
                                      std::vector<SchemaFinding>& out) const {
  if (const auto* required = schema.if_contains("required")) {
    for (const auto& name : required->as_array()) {
      if (node.find(name.as_string()) == nullptr) {
        out.push_back(
            {node.mark, path, "missing required field \"" + std::string(name.as_string()) + "\""});
      }
    }
  }
  if (const auto* dependent = schema.if_contains("dependentRequired")) {
    for (const auto& [name, needs] : dependent->as_object()) {
      if (node.find(name) == nullptr) {
        continue;
      }
      for (const auto& other : needs.as_array()) {
        if (node.find(other.as_string()) == nullptr) {
          out.push_back({node.mark, path,
                         "\"" + std::string(name) + "\" needs \"" + std::string(other.as_string()) +
                             "\" too"});
        }
      }
    }
  }
  if (const auto* min = schema.if_contains("minProperties");
      min != nullptr && node.entries.size() < min->to_number<std::size_t>()) {
    out.push_back({node.mark, path, "needs at least " + json::serialize(*min) + " field(s)"});
  }
  if (const auto* max = schema.if_contains("maxProperties");
      max != nullptr && node.entries.size() > max->to_number<std::size_t>()) {
    out.push_back({node.mark, path, "allows at most " + json::serialize(*max) + " field(s)"});
  }
  const auto* properties = schema.if_contains("properties");
  const auto* additional = schema.if_contains("additionalProperties");
  const auto* names = schema.if_contains("propertyNames");
  for (const auto& entry : node.entries) {
    const std::string child_path = member_path(path, entry.key);
    if (names != nullptr) {
      MarkedNode key_node;
      key_node.kind = MarkedNode::Kind::kString;
      key_node.text = entry.key;
      key_node.mark = entry.key_mark;
      std::vector<SchemaFinding> key_findings;
      validate(*names, key_node, child_path, key_findings);
      for (auto& finding : key_findings) {
        finding.message = "invalid name: " + finding.message;
        out.push_back(std::move(finding));
      }
    }
    if (properties != nullptr) {
      if (const auto* sub = properties->as_object().if_contains(entry.key)) {
        validate(*sub, entry.value, child_path, out);
        continue;
      }
    }
    if (additional == nullptr) {
      continue;
    }
    if (additional->is_bool()) {
      if (!additional->as_bool()) {
        std::string message =
            "unknown field \"" + entry.key + "\"" + (path.empty() ? std::string() : " in " + path);
        if (auto hint = closest_match(entry.key, property_names(schema))) {
          message += "; did you mean \"" + *hint + "\"?";
        }
        out.push_back({entry.key_mark, child_path, message});
      }
      continue;
    }
    validate(*additional, entry.value, child_path, out);
  }
}

void SchemaValidator::validate_scalar(const json::object& schema, const MarkedNode& node,
                                      const std::string& path,
                                      std::vector<SchemaFinding>& out) const {
  if (node.is_string()) {
    // JSON Schema counts code points, not bytes.
    std::size_t length = 0;
    for (const char c : node.text) {
      length += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
    }
    if (const auto* min = schema.if_contains("minLength");
        min != nullptr && length < min->to_number<std::size_t>()) {
      out.push_back({node.mark, path,
                     min->to_number<std::size_t>() == 1
                         ? std::string("must not be empty")
                         : "must be at least " + json::serialize(*min) + " characters long"});
    }
    if (const auto* max = schema.if_contains("maxLength");
        max != nullptr && length > max->to_number<std::size_t>()) {
      out.push_back(
          {node.mark, path, "must be at most " + json::serialize(*max) + " characters long"});
    }
    if (const auto* pattern = schema.if_contains("pattern")) {
      if (!std::regex_search(node.text, compiled(pattern->as_string()))) {
        std::string message = describe_value(node) + " is not a valid ";
        if (const auto* title = schema.if_contains("title")) {
          message += std::string(title->as_string());
        } else {
          message += "value (pattern " + std::string(pattern->as_string()) + ")";
        }
        if (const auto* examples = schema.if_contains("examples")) {
          std::vector<std::string> shown;
          for (const auto& example : examples->as_array()) {
            shown.push_back(value_text(example));
          }
          message += " (for example: " + join(shown, ", ") + ")";
        }
        out.push_back({node.mark, path, message});
      }
    }
  }
  if (node.is_number()) {
    const double value = node.as_double();
    const auto bound = [&](const char* keyword, auto violates, const char* words) {
      if (const auto* limit = schema.if_contains(keyword)) {
        if (violates(value, limit->to_number<double>())) {
          out.push_back({node.mark, path,
                         describe_value(node) + " " + words + " " + json::serialize(*limit)});
        }
      }
    };
    bound(
        "minimum", [](double v, double l) { return v < l; }, "is less than the minimum");
    bound(
        "maximum", [](double v, double l) { return v > l; }, "is more than the maximum");
    bound(
        "exclusiveMinimum", [](double v, double l) { return v <= l; }, "must be more than");
    bound(
        "exclusiveMaximum", [](double v, double l) { return v >= l; }, "must be less than");
  }
}

void SchemaValidator::validate_combinators(const json::object& schema, const MarkedNode& node,
                                           const std::string& path,
                                           std::vector<SchemaFinding>& out) const {
  if (const auto* all = schema.if_contains("allOf")) {
    for (const auto& sub : all->as_array()) {
      validate(sub, node, path, out);
    }
  }
  for (const char* keyword : {"oneOf", "anyOf"}) {
    const auto* branches = schema.if_contains(keyword);
    if (branches == nullptr) {
      continue;
    }
    std::vector<std::vector<SchemaFinding>> results;
    std::size_t passing = 0;
    for (const auto& sub : branches->as_array()) {
      results.emplace_back();
      validate(sub, node, path, results.back());
      passing += results.back().empty() ? 1 : 0;
    }
    if (passing == 0) {
      // Report the branch that came closest: fewest findings. When every branch failed only on
      // the type of this very value, merge them into one "expected A or B" message.
      const bool all_type_errors = std::all_of(results.begin(), results.end(), [&](auto& r) {
        return r.size() == 1 && is_type_mismatch_here(r[0], path);
      });
      const auto forms = describe_object_forms(branches->as_array());
      if (all_type_errors) {
        std::vector<std::string> expected;
        for (const auto& r : results) {
          const std::string& m = r[0].message;
          expected.push_back(m.substr(9, m.find(", got") - 9));
        }
        out.push_back({node.mark, path, "expected " + join(expected, " or ") + ", " + got(node)});
      } else {
        const auto best = std::min_element(results.begin(), results.end(), [&](auto& a, auto& b) {
          return branch_cost(a, path) < branch_cost(b, path);
        });
        const bool only_missing = std::all_of(best->begin(), best->end(), [](const auto& f) {
          return f.message.rfind("missing required field", 0) == 0;
        });
        if (node.is_map() && forms && !only_missing) {
          // Fields of several forms mixed: name the forms rather than echo one form's
          // complaints about fields that belong to another.
          out.push_back({node.mark, path, "use exactly one of these forms: " + *forms});
        } else {
          out.insert(out.end(), best->begin(), best->end());
        }
      }
    } else if (passing > 1 && std::string_view(keyword) == "oneOf") {
      out.push_back(
          {node.mark, path, "matches more than one of the allowed forms; use exactly one"});
    }
  }
  if (const auto* negated = schema.if_contains("not")) {
    std::vector<SchemaFinding> ignored;
    validate(*negated, node, path, ignored);
    if (ignored.empty()) {
      std::string message = "is not allowed here";
      const auto* description =
          negated->is_object() ? negated->as_object().if_contains("description") : nullptr;
      if (description != nullptr) {
        message = std::string(description->as_string());
      }
      out.push_back({node.mark, path, message});
    }
  }
  if (const auto* condition = schema.if_contains("if")) {
    std::vector<SchemaFinding> ignored;
    validate(*condition, node, path, ignored);
    const char* branch = ignored.empty() ? "then" : "else";
    if (const auto* sub = schema.if_contains(branch)) {
      validate(*sub, node, path, out);
    }
  }
}

void SchemaValidator::apply_defaults(MarkedNode& document) const {
  apply_defaults(schema_, document);
}

void SchemaValidator::apply_defaults(const json::value& schema_value, MarkedNode& node) const {
  if (!schema_value.is_object()) {
    return;
  }
  const json::object& schema = resolve(schema_value.as_object());
  if (node.is_map()) {
    const auto* properties = schema.if_contains("properties");
    if (properties != nullptr) {
      for (const auto& [name, sub] : properties->as_object()) {
        if (!sub.is_object()) {
          continue;
        }
        const auto& sub_schema = resolve(sub.as_object());
        const auto* fallback = sub.as_object().if_contains("default");
        if (fallback == nullptr) {
          fallback = sub_schema.if_contains("default");
        }
        if (node.find(name) == nullptr && fallback != nullptr) {
          node.entries.push_back(
              {std::string(name), node.mark, MarkedNode::from_json(*fallback, node.mark)});
        }
      }
    }
    const auto* additional = schema.if_contains("additionalProperties");
    for (auto& entry : node.entries) {
      const json::value* sub = nullptr;
      if (properties != nullptr) {
        sub = properties->as_object().if_contains(entry.key);
      }
      if (sub == nullptr && additional != nullptr && additional->is_object()) {
        sub = additional;
      }
      if (sub != nullptr) {
        apply_defaults(*sub, entry.value);
      }
    }
  } else if (node.is_seq()) {
    if (const auto* items = schema.if_contains("items")) {
      for (auto& item : node.items) {
        apply_defaults(*items, item);
      }
    }
  }
}

}  // namespace swarmop::model::detail
