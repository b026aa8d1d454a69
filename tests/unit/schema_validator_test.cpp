#include "schema_validator.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "yaml_reader.hpp"

using namespace swarmop::model;
using namespace swarmop::model::detail;

namespace {

MarkedNode yaml(std::string_view text) {
  std::vector<Diagnostic> diagnostics;
  auto node = read_yaml(text, "t.yaml", diagnostics);
  REQUIRE(node);
  return *node;
}

std::vector<std::string> messages(const SchemaValidator& validator, std::string_view text) {
  std::vector<std::string> out;
  for (const auto& finding : validator.validate(yaml(text))) {
    out.push_back(finding.path + ": " + finding.message);
  }
  return out;
}

const char* kSchema = R"({
  "$defs": {
    "Port": {"type": "integer", "minimum": 1, "maximum": 65535},
    "Form": {"oneOf": [
      {"type": "object", "required": ["user", "passwordFile"], "additionalProperties": false,
       "properties": {"user": {"type": "string"}, "passwordFile": {"type": "string"}}},
      {"type": "object", "required": ["file"], "additionalProperties": false,
       "properties": {"file": {"type": "string"}}}]}
  },
  "type": "object",
  "required": ["name"],
  "additionalProperties": false,
  "properties": {
    "name": {"type": "string", "title": "name", "pattern": "^[a-z]+$", "examples": ["abc"]},
    "port": {"$ref": "#/$defs/Port", "default": 8091},
    "mode": {"enum": ["all", "exactly"], "default": "all"},
    "cpus": {"anyOf": [{"type": "number"}, {"type": "string"}]},
    "creds": {"$ref": "#/$defs/Form"},
    "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    "extra": false,
    "labels": {"type": "object", "default": {},
               "propertyNames": {"pattern": "^[a-z]+$"}, "additionalProperties": {"type": "string"}}
  }
})";

}  // namespace

TEST_CASE("schema findings name the path and say what is wrong", "[unit][schema]") {
  SchemaValidator validator(boost::json::parse(kSchema));
  CHECK(messages(validator, "name: abc\n").empty());
  CHECK(messages(validator, "nam: abc\n") ==
        std::vector<std::string>{": missing required field \"name\"",
                                 "nam: unknown field \"nam\"; did you mean \"name\"?"});
  CHECK(messages(validator, "name: ABC\n") ==
        std::vector<std::string>{"name: \"ABC\" is not a valid name (for example: abc)"});
  CHECK(messages(validator, "name: a\nport: 0\n") ==
        std::vector<std::string>{"port: 0 is less than the minimum 1"});
  CHECK(messages(validator, "name: a\nport: '80'\n") ==
        std::vector<std::string>{"port: expected integer, got string \"80\""});
  CHECK(messages(validator, "name: a\nport: 80.0\n").empty());  // JSON Schema integers
  CHECK(messages(validator, "name: a\nmode: exactli\n") ==
        std::vector<std::string>{
            "mode: \"exactli\" is not one of: all, exactly; did you mean \"exactly\"?"});
  CHECK(messages(validator, "name: a\ncpus: true\n") ==
        std::vector<std::string>{"cpus: expected number or string, got boolean true"});
  CHECK(messages(validator, "name: a\ntags: []\n") ==
        std::vector<std::string>{"tags: needs at least 1 item(s)"});
  CHECK(messages(validator, "name: a\nextra: 1\n") ==
        std::vector<std::string>{"extra: is not allowed here"});
  CHECK(messages(validator, "name: a\nlabels: {Bad: x}\n") ==
        std::vector<std::string>{"labels.Bad: invalid name: \"Bad\" is not a valid value "
                                 "(pattern ^[a-z]+$)"});
}

TEST_CASE("oneOf reports the closest form, and refuses two", "[unit][schema]") {
  SchemaValidator validator(boost::json::parse(kSchema));
  CHECK(messages(validator, "name: a\ncreds: {user: u, passwordFile: p}\n").empty());
  CHECK(messages(validator, "name: a\ncreds: {file: f}\n").empty());
  CHECK(messages(validator, "name: a\ncreds: {user: u}\n") ==
        std::vector<std::string>{"creds: missing required field \"passwordFile\""});
}

TEST_CASE("defaults fill absent fields and are marked synthesized", "[unit][schema]") {
  SchemaValidator validator(boost::json::parse(kSchema));
  MarkedNode doc = yaml("name: a\nmode: exactly\n");
  validator.apply_defaults(doc);
  REQUIRE(doc.find("port"));
  CHECK(doc.find("port")->integer == 8091);
  CHECK(doc.find("port")->synthesized);
  CHECK(doc.find("mode")->text == "exactly");
  CHECK_FALSE(doc.find("mode")->synthesized);
  CHECK(doc.find("labels")->is_map());
}

TEST_CASE("unsupported schema keywords fail loudly", "[unit][schema]") {
  CHECK_THROWS_AS(SchemaValidator(boost::json::parse(R"({"unevaluatedProperties": false})")),
                  std::invalid_argument);
  CHECK_THROWS_AS(SchemaValidator(boost::json::parse(R"({"$ref": "http://x/y.json"})"))
                      .validate(yaml("a: 1\n")),
                  std::invalid_argument);
}

TEST_CASE("the embedded schema is the crd/ file and compiles", "[unit][schema]") {
  const auto& validator = embedded_schema_validator();
  const auto& schema = validator.schema().as_object();
  CHECK(schema.at("$schema").as_string() == "https://json-schema.org/draft/2020-12/schema");
  CHECK(schema.at("$defs").as_object().contains("SwarmNode"));
}

TEST_CASE("mixing two object forms names the forms", "[unit][schema]") {
  SchemaValidator validator(boost::json::parse(kSchema));
  CHECK(messages(validator, "name: a\ncreds: {user: u, passwordFile: p, file: f}\n") ==
        std::vector<std::string>{"creds: use exactly one of these forms: {user, passwordFile} or "
                                 "{file}"});
}

TEST_CASE("a value of the right type is judged by its own branch", "[unit][schema]") {
  SchemaValidator validator(boost::json::parse(
      R"({"properties": {"size": {"anyOf": [{"type": "string", "pattern": "^[0-9]+M$"},
                                           {"type": "integer", "minimum": 0}]}}})"));
  CHECK(messages(validator, "size: -1\n") ==
        std::vector<std::string>{"size: -1 is less than the minimum 0"});
  CHECK(messages(validator, "size: ~\n") ==
        std::vector<std::string>{"size: expected string or integer, got null"});
  CHECK(messages(validator, "size: {a: 1}\n") ==
        std::vector<std::string>{"size: expected string or integer, got object"});
  CHECK(messages(validator, "size: 2.5\n") ==
        std::vector<std::string>{"size: expected string or integer, got number 2.5"});
}

// Found by fuzz/fuzz_desired_state (docs/fuzzing.md): libstdc++'s default std::regex executor
// recursed for every character of the input, so one long string checked against a `pattern`
// (or one long map key) overflowed the stack. crd/src/safe_regex.hpp picks the breadth-first one.
// 256 KiB: five times the length that overflowed it (1 MiB takes 10 s a match under ASan).
constexpr std::size_t kLongText = std::size_t{1} << 18;

TEST_CASE("a long string is matched against a schema pattern without overflowing the stack",
          "[unit][schema]") {
  SchemaValidator validator(boost::json::parse(kSchema));
  const std::string long_name(kLongText, 'a');
  const auto document = [](const std::string& name) {
    return MarkedNode::from_json(boost::json::object{{"name", name}}, Mark{1, 1});
  };
  CHECK(validator.validate(document(long_name)).empty());
  // Refused by its last character only.
  const auto findings = validator.validate(document(long_name + "A"));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].path == "name");
  CHECK(findings[0].message ==
        "\"" + std::string(56, 'a') + "... is not a valid name (for example: abc)");
}

TEST_CASE("a long map key is named and matched against propertyNames without overflowing the stack",
          "[unit][schema]") {
  SchemaValidator validator(boost::json::parse(kSchema));
  const std::string long_key(kLongText, 'a');
  const auto document = [](const std::string& key) {
    return MarkedNode::from_json(
        boost::json::object{{"name", "a"}, {"labels", boost::json::object{{key, "x"}}}},
        Mark{1, 1});
  };
  CHECK(validator.validate(document(long_key)).empty());
  // A simple name in the path, refused by the pattern for its last character.
  auto findings = validator.validate(document(long_key + "B"));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].path == "labels." + long_key + "B");
  CHECK(findings[0].message ==
        "invalid name: \"" + std::string(56, 'a') + "... is not a valid value (pattern ^[a-z]+$)");
  // Not a simple name: quoted in the path.
  findings = validator.validate(document(long_key + "."));
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].path == "labels[\"" + long_key + ".\"]");
}
