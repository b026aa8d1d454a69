#include "yaml_reader.hpp"

#include <catch2/catch.hpp>
#include <regex>
#include <string>
#include <vector>

using namespace swarmop::model;
using namespace swarmop::model::detail;

namespace {

struct Read {
  std::optional<MarkedNode> node;
  std::vector<Diagnostic> diagnostics;
  std::string first_message() const {
    return diagnostics.empty() ? "" : diagnostics.front().message;
  }
};

Read read(std::string_view text, const ReadLimits& limits = {}) {
  Read out;
  out.node = read_yaml(text, "f.yaml", out.diagnostics, limits);
  return out;
}

}  // namespace

TEST_CASE("plain scalars are typed by the YAML 1.2 core schema", "[unit][yaml]") {
  auto r = read("a: true\nb: \"true\"\nc: 3\nd: '3'\ne: 2.5\nf: 0x1F\ng: ~\nh: yes\ni: 010\n");
  REQUIRE(r.node);
  using Kind = MarkedNode::Kind;
  CHECK(r.node->find("a")->kind == Kind::kBool);
  CHECK(r.node->find("b")->kind == Kind::kString);
  CHECK(r.node->find("c")->kind == Kind::kInt);
  CHECK(r.node->find("d")->kind == Kind::kString);
  CHECK(r.node->find("e")->kind == Kind::kFloat);
  CHECK(r.node->find("f")->integer == 31);
  CHECK(r.node->find("g")->kind == Kind::kNull);
  CHECK(r.node->find("h")->kind == Kind::kString);  // YAML 1.1's yes/no are strings in 1.2
  CHECK(r.node->find("i")->integer == 10);          // no implicit octal in 1.2
}

TEST_CASE("positions are 1-based and point at keys and values", "[unit][yaml]") {
  auto r = read("spec:\n  swarm:\n    nodes: [a, b]\n");
  REQUIRE(r.node);
  const MarkedNode& nodes = *r.node->find("spec")->find("swarm")->find("nodes");
  CHECK(nodes.mark.line == 3);
  CHECK(nodes.mark.column == 12);
  CHECK(nodes.items[1].mark.column == 16);
  CHECK(r.node->find("spec")->entries[0].key_mark.line == 2);
  CHECK(r.node->find("spec")->entries[0].key_mark.column == 3);
}

TEST_CASE("duplicate keys are errors with both positions", "[unit][yaml]") {
  auto r = read("a: 1\nb: 2\na: 3\n");
  CHECK_FALSE(r.node);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].mark.line == 3);
  CHECK(r.first_message() == "duplicate key \"a\" (first defined at line 1)");
}

TEST_CASE("byte-level problems are reported before parsing", "[unit][yaml]") {
  CHECK(read("").first_message().find("file is empty") == 0);
  CHECK(read("# only a comment\n").first_message().find("file is empty") == 0);
  auto latin1 = read("a: 1\nb: caf\xE9\n");
  CHECK(latin1.first_message().find("not valid UTF-8") != std::string::npos);
  CHECK(latin1.diagnostics[0].mark.line == 2);
  CHECK(latin1.diagnostics[0].mark.column == 7);
  CHECK(read("\xFF\xFE"
             "a\0:\0")
            .first_message() == "file is UTF-16; save it as UTF-8");
  CHECK(read("a: 1\n---\nb: 2\n").first_message().find("2 YAML documents") != std::string::npos);
  CHECK(read("\xEF\xBB\xBF"
             "a: 1\n")
            .node.has_value());  // a UTF-8 BOM is fine
}

TEST_CASE("overlong UTF-8 and surrogates are not valid UTF-8", "[unit][yaml]") {
  CHECK(find_invalid_utf8("\xC0\xAF"));
  CHECK(find_invalid_utf8("\xED\xA0\x80"));
  CHECK(find_invalid_utf8("\xF4\x90\x80\x80"));
  CHECK_FALSE(find_invalid_utf8("h\xC3\xA9llo \xF0\x9F\x90\xB3"));
}

TEST_CASE("syntax errors carry the parser's position", "[unit][yaml]") {
  auto r = read("a:\n\tb: 1\n");
  CHECK_FALSE(r.node);
  REQUIRE_FALSE(r.diagnostics.empty());
  CHECK(r.first_message().find("YAML syntax error") == 0);
  CHECK(r.diagnostics[0].mark.line == 2);
}

TEST_CASE("hostile documents are bounded", "[unit][yaml]") {
  // Nine levels of nine aliases would expand to 9^9 values.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level <= 9; ++level) {
    const std::string prev = "*a" + std::to_string(level - 1);
    bomb += "a" + std::to_string(level) + ": &a" + std::to_string(level) + " [" + prev;
    for (int i = 1; i < 9; ++i) {
      bomb += ", " + prev;
    }
    bomb += "]\n";
  }
  auto r = read(bomb);
  CHECK_FALSE(r.node);
  CHECK(r.first_message().find("after alias expansion") != std::string::npos);

  auto deep = read(std::string(100, '[') + std::string(100, ']'));
  CHECK_FALSE(deep.node);
  CHECK(deep.first_message().find("deeper than 64") != std::string::npos);

  auto very_deep = read(std::string(10'000, '['));
  CHECK_FALSE(very_deep.node);
  CHECK_FALSE(very_deep.diagnostics.empty());

  ReadLimits small;
  small.max_bytes = 16;
  CHECK(read("a: 0123456789abcdef\n", small)
            .first_message()
            .rfind("file is larger than the limit of 16 bytes", 0) == 0);
}

TEST_CASE("merge keys and custom tags are refused", "[unit][yaml]") {
  CHECK(read("a: &x {b: 1}\nc:\n  <<: *x\n").first_message().find("merge keys") == 0);
  CHECK(read("a: !foo 1\n").first_message() == "unsupported YAML tag \"!foo\"");
  CHECK(read("a: .inf\n").first_message().find("infinity or NaN") != std::string::npos);
}

TEST_CASE("sane aliases expand", "[unit][yaml]") {
  auto r = read("x: &labels {types: master}\ny: *labels\n");
  REQUIRE(r.node);
  CHECK(r.node->find("y")->find("types")->text == "master");
}

TEST_CASE("a key with no value is positioned at the key", "[unit][yaml]") {
  auto r = read("labels:\n  zone:\nnext: 1\n");
  REQUIRE(r.node);
  const MarkedNode& zone = *r.node->find("labels")->find("zone");
  CHECK(zone.kind == MarkedNode::Kind::kNull);
  CHECK(zone.mark.line == 2);
  CHECK(zone.mark.column == 3);
}

TEST_CASE("numbers too large for a double are errors", "[unit][yaml]") {
  CHECK(read("cpus: 1e400\n").first_message() == "number 1e400 is out of range");
}

// Found by fuzz/fuzz_desired_state (docs/fuzzing.md): yaml-cpp 0.7 never gets past a ',' outside
// a flow collection, and YAML::LoadAll collected empty documents until memory ran out.
TEST_CASE("a comma at document level is a clean error, not a hang", "[unit][yaml]") {
  struct Case {
    std::string text;
    int line;
    int column;
  };
  const std::vector<Case> cases = {
      {"{apiVersion: swarm-operator/v1alpha1, kind: SwarmCluster},\n", 1, 58},
      {"\"x\",\n", 1, 4},
      {",\n", 1, 1},
      {"# a flow document over two lines\n{a: 1,\n b: 2},\n c: 3}\n", 3, 7},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto r = read(c.text);
    CHECK_FALSE(r.node);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics[0].severity == Severity::kError);
    CHECK(r.diagnostics[0].file == "f.yaml");
    CHECK(r.diagnostics[0].mark.line == c.line);
    CHECK(r.diagnostics[0].mark.column == c.column);
    CHECK(r.first_message() == "YAML syntax error: ',' outside a flow collection ([...] or {...})");
  }
  // A comma inside a flow collection is still fine.
  auto fine = read("{a: 1, b: [2, 3]}\n");
  REQUIRE(fine.node);
  CHECK(fine.node->find("b")->items.size() == 2);
}

// The alias bomb's 100,000 values used to cost six std::regex matches each (a timeout under the
// sanitizers); the core-schema forms are now matched by hand and must type scalars the same way.
TEST_CASE("plain scalars are typed exactly as the YAML 1.2 core schema's regexes say",
          "[unit][yaml]") {
  const std::regex kInt(R"([-+]?[0-9]+)");
  const std::regex kOctal(R"(0o[0-7]+)");
  const std::regex kHex(R"(0x[0-9a-fA-F]+)");
  const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  const std::regex kInfOrNan(R"([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))");
  using Kind = MarkedNode::Kind;
  for (const std::string text :
       {"0",    "-0",   "+7",      "12",   "+",     "0o17", "0o",    "0o8",   "0x1F", "0xg",
        "0x",   "1.",   ".5",      "-.5",  ".",     "1e3",  "1E+3",  "1e",    "1e+",  "e3",
        ".e3",  "1.5e", "+1.5e-3", "1..2", "1.2.3", ".inf", "-.Inf", "+.INF", ".nan", "-.nan",
        ".NaN", "inf",  "nan",     "0b1",  "1_000", "12a",  "a12",   "0x1f.", "--1"}) {
    INFO(text);
    auto r = read("v: " + text + "\n");
    if (std::regex_match(text, kInfOrNan)) {
      CHECK(r.first_message() == "\"" + text + "\" (infinity or NaN) is not a valid value here");
      continue;
    }
    REQUIRE(r.node);
    const Kind kind = r.node->find("v")->kind;
    if (std::regex_match(text, kInt) || std::regex_match(text, kOctal) ||
        std::regex_match(text, kHex)) {
      CHECK(kind == Kind::kInt);
    } else if (std::regex_match(text, kFloat)) {
      CHECK(kind == Kind::kFloat);
    } else {
      CHECK(kind == Kind::kString);
    }
  }
}
