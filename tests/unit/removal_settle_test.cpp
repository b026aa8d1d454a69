// Which steps take a member away for good, and how long they wait for the file to stand.
#include "watch/removal_settle.hpp"

#include <catch2/catch.hpp>

namespace swarmop::testing {
namespace {

using namespace std::chrono_literals;

model::StepDescription step(std::string action, std::string kind, std::string object) {
  model::StepDescription out;
  out.reconciler = "membership";
  out.action = std::move(action);
  out.kind = std::move(kind);
  out.object = std::move(object);
  return out;
}

}  // namespace

TEST_CASE("removal settle: removals and leaves wait, other steps do not", "[watch]") {
  CHECK(watch::removes_members(step("remove", "node", "node3")));
  CHECK(watch::removes_members(step("leave", "node", "node3")));
  CHECK_FALSE(watch::removes_members(step("set-labels", "node", "node3")));
  CHECK_FALSE(watch::removes_members(step("failover", "node", "couchbase-worker")));

  auto add_only = step("rebalance", "cluster", "couchbase");
  add_only.changes.push_back({"knownNodes", "", "ns_1@a,ns_1@b"});
  CHECK_FALSE(watch::removes_members(add_only));
  auto ejecting = add_only;
  ejecting.changes.push_back({"ejectedNodes", "", "ns_1@b"});
  CHECK(watch::removes_members(ejecting));
}

TEST_CASE("removal settle: the wait names the step and how long the content has stood", "[watch]") {
  const auto seen = std::chrono::steady_clock::now();
  const auto removal = step("remove", "node", "node3");
  const auto early = watch::removal_wait(removal, seen, seen + 4s, 10s);
  REQUIRE(early);
  CHECK_THAT(*early, Catch::Contains("remove node node3 takes a member away for good"));
  CHECK_THAT(*early, Catch::Contains("stood 10 s"));
  CHECK_THAT(*early, Catch::Contains("it has stood 4 s"));
  CHECK_FALSE(watch::removal_wait(removal, seen, seen + 10s, 10s));
  CHECK_FALSE(watch::removal_wait(step("promote", "node", "node2"), seen, seen, 10s));
}

}  // namespace swarmop::testing
