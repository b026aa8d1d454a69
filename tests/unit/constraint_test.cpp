#include "swarmop/model/constraint.hpp"

#include <catch2/catch.hpp>

using namespace swarmop::model;

TEST_CASE("constraints parse with Swarm's grammar", "[unit][constraint]") {
  auto c = parse_constraint("node.labels.types == master");
  REQUIRE(c);
  CHECK(c->attribute == "node.labels.types");
  CHECK(c->op == Constraint::Op::kEqual);
  CHECK(c->value == "master");
  CHECK(c->is_node_label());
  CHECK(c->label_key() == "types");
  CHECK(c->to_string() == "node.labels.types == master");

  auto role = parse_constraint("  node.role!=manager ");
  REQUIRE(role);
  CHECK(role->op == Constraint::Op::kNotEqual);
  CHECK(role->value == "manager");
  CHECK_FALSE(role->is_node_label());
}

TEST_CASE("malformed constraints say why", "[unit][constraint]") {
  std::string reason;
  CHECK_FALSE(parse_constraint("node.labels.types = master", &reason));
  CHECK(reason == "expected one operator from ==, !=");
  CHECK_FALSE(parse_constraint("node.labels.a == b=c", &reason));
  CHECK(reason == "value 'b=c' is invalid");
  CHECK_FALSE(parse_constraint("node.labels.a b == c", &reason));
  CHECK(reason == "key 'node.labels.a b' is invalid");
  CHECK_FALSE(parse_constraint("node.colour == red", &reason));
  CHECK(reason.find("unknown attribute 'node.colour'") == 0);
}

TEST_CASE("constraints evaluate like the Swarm scheduler", "[unit][constraint]") {
  NodeAttributes node{"", "node1", "manager", "", "", {{"types", "master"}}, {}};
  const auto eval = [&](const char* text) { return evaluate(*parse_constraint(text), node); };
  CHECK(eval("node.labels.types == master") == Match::kYes);
  CHECK(eval("node.labels.types == MASTER") == Match::kYes);  // values compare without case
  CHECK(eval("node.labels.Types == master") == Match::kNo);   // label keys keep their case
  CHECK(eval("node.labels.types != master") == Match::kNo);
  CHECK(eval("node.labels.zone == a") == Match::kNo);  // a missing label is the empty string
  CHECK(eval("node.labels.zone != a") == Match::kYes);
  CHECK(eval("node.hostname == NODE1") == Match::kYes);
  CHECK(eval("node.role == worker") == Match::kNo);
  CHECK(eval("node.id == abc") == Match::kUnknown);  // ids exist only once a node has joined
  CHECK(eval("node.platform.os == linux") == Match::kUnknown);
}
