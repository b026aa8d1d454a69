// The Docker client's contract, run against the simulated swarm and a real one. Each test
// states what the engine does; any difference between the two is a simulator bug.
#include <atomic>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "cluster_under_test.hpp"
#include "support/expected_printer.hpp"
#include "swarmop/clients/docker_event_watcher.hpp"
#include "swarmop/clients/docker_http_client.hpp"
#include "swarmop/clients/docker_spec_edit.hpp"

using namespace swarmop;
using namespace swarmop::contract;
using namespace std::chrono_literals;
namespace edit = swarmop::clients::spec_edit;

namespace {

// Every test starts from the initial five-node swarm.
struct Fresh {
  Fresh() { cluster().reset(); }
};

std::optional<clients::DockerNode> node_named(clients::DockerClient& client,
                                              const std::string& hostname) {
  auto nodes = client.list_nodes();
  REQUIRE(nodes);
  for (const auto& node : *nodes) {
    if (node.hostname == hostname && node.state != "down") {
      return node;
    }
  }
  for (const auto& node : *nodes) {
    if (node.hostname == hostname) {
      return node;
    }
  }
  return std::nullopt;
}

std::string node_state(clients::DockerClient& client, const std::string& hostname) {
  auto node = node_named(client, hostname);
  return node ? node->state : "absent";
}

std::vector<clients::DockerTask> running_tasks(clients::DockerClient& client,
                                               const std::string& service) {
  auto tasks = client.list_tasks({{service}, {}, {"running"}});
  REQUIRE(tasks);
  return *tasks;
}

}  // namespace

TEST_CASE("the API version is negotiated down to what both speak", "[contract]") {
  Fresh fresh;
  auto manager = client_for(cluster().engine_address(1));
  auto* http = dynamic_cast<clients::DockerHttpClient*>(manager.get());
  REQUIRE(http != nullptr);
  auto prefix = http->api_prefix();
  REQUIRE(prefix);
  CHECK(*prefix == "/v1.41");
}

TEST_CASE("nodes list with roles, a leader and reachability", "[contract]") {
  Fresh fresh;
  auto manager = engine(1);
  auto nodes = manager->list_nodes();
  REQUIRE(nodes);
  CHECK(static_cast<int>(nodes->size()) == cluster().node_count());
  int managers = 0;
  int leaders = 0;
  for (const auto& node : *nodes) {
    CHECK(node.state == "ready");
    CHECK(node.version > 0);
    if (node.role == "manager") {
      ++managers;
      CHECK(node.manager_reachability == "reachable");
      leaders += node.leader ? 1 : 0;
    } else {
      CHECK_FALSE(node.manager_reachability.has_value());
    }
  }
  CHECK(managers == 3);
  CHECK(leaders == 1);
  auto by_name = manager->inspect_node("node4");
  REQUIRE(by_name);
  auto by_id = manager->inspect_node(by_name->id);
  REQUIRE(by_id);
  CHECK(by_id->hostname == "node4");
  auto missing = manager->inspect_node("nope");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == model::ErrorCode::kNotFound);
  CHECK(missing.error().server_message == "node nope not found");
}

TEST_CASE("a worker's engine refuses cluster state", "[contract]") {
  Fresh fresh;
  auto worker = engine(4);
  auto nodes = worker->list_nodes();
  REQUIRE_FALSE(nodes);
  CHECK(nodes.error().http_status == 503);
  CHECK(nodes.error().code == model::ErrorCode::kInvalid);
  CHECK(nodes.error().server_message.rfind("This node is not a swarm manager.", 0) == 0);
  auto info = worker->info();
  REQUIRE(info);
  CHECK(info->local_node_state == "active");
  CHECK_FALSE(info->control_available);
}

TEST_CASE("node updates carry the version and stale versions conflict", "[contract]") {
  Fresh fresh;
  auto manager = engine(1);
  auto node = node_named(*manager, "node4");
  REQUIRE(node);
  auto labelled =
      manager->update_node(*node, edit::with_labels(node->spec, {{"contract.zone", "a"}}));
  REQUIRE(labelled);
  auto after = node_named(*manager, "node4");
  REQUIRE(after);
  CHECK(after->labels.at("contract.zone") == "a");
  CHECK(after->role == "worker");
  CHECK(after->availability == "active");
  CHECK(after->version > node->version);

  // The same write with the old version is refused: re-read, don't retry blindly.
  auto stale = manager->update_node(*node, edit::with_labels(node->spec, {{"contract.zone", "b"}}));
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == model::ErrorCode::kConflict);
  CHECK(stale.error().http_status == 500);
  CHECK(stale.error().server_message == "rpc error: code = Unknown desc = update out of sequence");

  // A spec without a role is invalid, not a partial update.
  auto partial =
      manager->update_node(*after, boost::json::object{{"Labels", boost::json::object{}}});
  REQUIRE_FALSE(partial);
  CHECK(partial.error().code == model::ErrorCode::kInvalid);
  CHECK(partial.error().server_message == "invalid Role: \"\"");
}

TEST_CASE("services: create, duplicate, stale update, rename", "[contract]") {
  Fresh fresh;
  auto manager = engine(1);
  auto id = manager->create_service(test_service_spec("web", 2));
  REQUIRE(id);
  auto duplicate = manager->create_service(test_service_spec("web", 2));
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error().code == model::ErrorCode::kConflict);
  CHECK(duplicate.error().http_status == 409);

  auto service = manager->inspect_service("contract-web");
  REQUIRE(service);
  CHECK(service->id == *id);
  CHECK(service->replicas == 2u);
  CHECK(wait_until([&] { return running_tasks(*manager, "contract-web").size() == 2; }, 30s));

  REQUIRE(manager->update_service(*service, edit::with_replicas(service->spec, 3)));
  auto stale = manager->update_service(*service, edit::with_replicas(service->spec, 4));
  REQUIRE_FALSE(stale);
  CHECK(stale.error().code == model::ErrorCode::kConflict);

  auto current = manager->inspect_service("contract-web");
  REQUIRE(current);
  CHECK(current->replicas == 3u);
  auto renamed = current->spec;
  renamed["Name"] = "contract-other";
  auto rename = manager->update_service(*current, renamed);
  REQUIRE_FALSE(rename);
  CHECK(rename.error().http_status == 501);
  CHECK(rename.error().code == model::ErrorCode::kInvalid);
}

TEST_CASE("pending tasks carry the scheduler's reason", "[contract]") {
  Fresh fresh;
  auto manager = engine(1);
  auto spec = edit::with_max_replicas(
      edit::with_constraints(test_service_spec("spread", 3), {"node.role==worker"}), 1);
  REQUIRE(manager->create_service(spec));
  std::vector<clients::DockerTask> pending;
  const bool placed = wait_until(
      [&] {
        auto tasks = manager->list_tasks({{"contract-spread"}, {}, {"running"}});
        REQUIRE(tasks);
        pending.clear();
        int running = 0;
        for (const auto& task : *tasks) {
          running += task.state == "running" ? 1 : 0;
          if (task.state == "pending") {
            pending.push_back(task);
          }
        }
        return running == 2 && pending.size() == 1;
      },
      30s);
  REQUIRE(placed);
  CHECK(pending[0].node_id.empty());
  // The engine lists the failing filters by how many nodes each rejected, most first.
  CHECK(pending[0].err ==
        "no suitable node (scheduling constraints not satisfied on 3 nodes; max replicas per "
        "node limit exceed)");
}

TEST_CASE("demoting a manager that would break quorum is refused", "[contract]") {
  Fresh fresh;
  auto manager = engine(1);
  cluster().crash(3);
  // node3 is unreachable at once; demoting reachable node2 would leave 1 of 2 raft members.
  REQUIRE(wait_until(
      [&] {
        auto node = node_named(*manager, "node3");
        return node && node->manager_reachability == "unreachable";
      },
      15s));
  auto node2 = node_named(*manager, "node2");
  REQUIRE(node2);
  auto demote = manager->update_node(*node2, edit::with_role(node2->spec, "worker"));
  REQUIRE_FALSE(demote);
  CHECK(demote.error().http_status == 400);
  CHECK(demote.error().server_message ==
        "rpc error: code = FailedPrecondition desc = can't remove member from the raft: this "
        "would result in a loss of quorum");
  cluster().start(3);
}

TEST_CASE("a crashed worker is marked down, and ready again after restart", "[contract]") {
  Fresh fresh;
  auto manager = engine(1);
  cluster().crash(5);
  REQUIRE(wait_until([&] { return node_state(*manager, "node5") == "down"; },
                     cluster().failure_deadline()));
  auto down = node_named(*manager, "node5");
  REQUIRE(down);
  CHECK(down->state_message == "heartbeat failure");
  cluster().start(5);
  CHECK(wait_until([&] { return node_state(*manager, "node5") == "ready"; },
                   cluster().failure_deadline()));
}

TEST_CASE("a partitioned worker is marked down, and ready after the heal", "[contract]") {
  Fresh fresh;
  auto manager = engine(1);
  cluster().partition(4);
  REQUIRE(wait_until([&] { return node_state(*manager, "node4") == "down"; },
                     cluster().failure_deadline()));
  // Cut off from the cluster, its own engine still answers locally.
  auto local = engine(4)->info();
  REQUIRE(local);
  cluster().heal(4);
  CHECK(wait_until([&] { return node_state(*manager, "node4") == "ready"; },
                   cluster().failure_deadline()));
}

TEST_CASE("a stopped daemon is marked down too", "[contract]") {
  Fresh fresh;
  auto manager = engine(1);
  cluster().stop(4);
  REQUIRE(wait_until([&] { return node_state(*manager, "node4") == "down"; },
                     cluster().failure_deadline()));
  cluster().start(4);
  CHECK(wait_until([&] { return node_state(*manager, "node4") == "ready"; },
                   cluster().failure_deadline()));
}

TEST_CASE("leave and join through a node's own engine", "[contract]") {
  Fresh fresh;
  auto manager = engine(1);
  auto worker = engine(5);
  auto before = node_named(*manager, "node5");
  REQUIRE(before);

  // A manager cannot leave without force; a member cannot join again.
  auto manager_leave = engine(2)->leave_swarm(false);
  REQUIRE_FALSE(manager_leave);
  CHECK(manager_leave.error().http_status == 503);

  REQUIRE(worker->leave_swarm(false));
  auto info = worker->info();
  REQUIRE(info);
  CHECK(info->local_node_state == "inactive");
  auto again = worker->leave_swarm(false);
  REQUIRE_FALSE(again);
  CHECK(again.error().server_message == "This node is not part of a swarm");

  // The managers are not told: the old entry turns down after the heartbeat timeout.
  REQUIRE(wait_until([&] { return node_state(*manager, "node5") == "down"; },
                     cluster().failure_deadline()));

  auto swarm = manager->inspect_swarm();
  REQUIRE(swarm);
  clients::JoinRequest join;
  join.remote_addrs = {before->manager_addr.empty() ? "" : before->manager_addr};
  auto leader = node_named(*manager, "node1");
  REQUIRE(leader);
  join.remote_addrs = {leader->manager_addr};
  join.join_token = swarm->worker_join_token;
  REQUIRE(worker->join_swarm(join));
  // A re-join is a new node: new ID, no labels; the old entry stays until removed.
  REQUIRE(wait_until(
      [&] {
        auto nodes = manager->list_nodes();
        return nodes && std::count_if(nodes->begin(), nodes->end(), [](auto& n) {
                          return n.hostname == "node5" && n.state == "ready";
                        }) == 1;
      },
      30s));
  auto rejoined = node_named(*manager, "node5");
  REQUIRE(rejoined);
  CHECK(rejoined->id != before->id);
  auto ambiguous = manager->inspect_node("node5");
  REQUIRE_FALSE(ambiguous);
  CHECK(ambiguous.error().server_message == "node node5 is ambiguous (2 matches found)");
  REQUIRE(manager->remove_node(before->id, false));

  auto member = worker->join_swarm(join);
  REQUIRE_FALSE(member);
  CHECK(member.error().http_status == 503);
}

TEST_CASE("events stream live and replay with since and until", "[contract]") {
  Fresh fresh;
  auto manager = engine(1);
  std::atomic<bool> cancel{false};
  std::atomic<bool> seen{false};
  std::atomic<std::int64_t> seen_at{0};
  std::thread listener([&] {
    auto stream = client_for(cluster().engine_address(1));
    (void)stream->events(
        0, 0,
        [&](const clients::DockerEvent& event) {
          if (event.type == "node" && event.attributes.count("availability.new") > 0 &&
              event.attributes.at("name") == "node4") {
            seen_at = event.time;
            seen = true;
            return false;
          }
          return true;
        },
        &cancel);
  });
  // Keep draining node4 until the listener has caught one update: the stream may connect
  // after the first write.
  const bool caught = wait_until(
      [&] {
        if (seen) {
          return true;
        }
        auto node = node_named(*manager, "node4");
        const std::string next = node->availability == "active" ? "drain" : "active";
        (void)manager->update_node(*node, edit::with_availability(node->spec, next));
        return seen.load();
      },
      20s);
  cancel = true;
  listener.join();
  REQUIRE(caught);

  // Replay: since/until hands back past events, then the stream closes by itself (an `until`
  // in the future would keep it open until then, so it is the event's own second plus one).
  // The call runs on its own thread while cluster time passes (the simulator's clock is moved
  // by the test).
  std::vector<clients::DockerEvent> replayed;
  std::atomic<bool> replay_done{false};
  std::optional<model::Expected<model::Unit>> replay;
  std::thread replayer([&] {
    replay = manager->events(
        seen_at - 1, seen_at + 1,
        [&](const clients::DockerEvent& event) {
          replayed.push_back(event);
          return true;
        },
        nullptr);
    replay_done = true;
  });
  const bool closed = wait_until([&] { return replay_done.load(); }, 30s);
  replayer.join();
  REQUIRE(closed);
  REQUIRE(replay);
  REQUIRE(*replay);
  CHECK(std::any_of(replayed.begin(), replayed.end(), [](auto& e) {
    return e.type == "node" && e.attributes.count("availability.new") > 0;
  }));
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) {
    out += word + " ";
  }
  return out;
}

TEST_CASE("the event watcher moves to another manager and loses nothing", "[contract]") {
  Fresh fresh;
  auto manager = engine(1);
  std::mutex mutex;
  std::vector<std::string> availability_changes;  // availability.new of node4, in order
  std::vector<std::string> event_times;           // their timeNano
  std::vector<std::string> event_identities;      // time and change, to tell a repeat apart
  std::vector<clients::DockerClientPtr> managers;
  managers.push_back(engine(2));  // the stream starts on node2, which is then crashed
  managers.push_back(engine(3));
  clients::DockerEventWatcher watcher(std::move(managers), [&](const clients::DockerEvent& event) {
    if (event.type == "node" && event.attributes.count("availability.new") > 0 &&
        event.attributes.at("name") == "node4") {
      std::lock_guard lock(mutex);
      availability_changes.push_back(event.attributes.at("availability.new"));
      // What identifies the event: when, and the change (a simulated clock that stands still
      // gives several changes one time).
      const auto old_value = event.attributes.find("availability.old");
      event_times.push_back(std::to_string(event.time_nano));
      event_identities.push_back(std::to_string(event.time_nano) + " " +
                                 (old_value == event.attributes.end() ? "" : old_value->second) +
                                 "->" + event.attributes.at("availability.new"));
    }
  });
  watcher.start();
  const auto changes = [&] {
    std::lock_guard lock(mutex);
    return availability_changes;
  };
  const auto set_availability = [&](const std::string& availability) {
    auto node = node_named(*manager, "node4");
    REQUIRE(node);
    REQUIRE(manager->update_node(*node, edit::with_availability(node->spec, availability)));
  };
  // The watcher connects in the background: drain until its first event shows it is live.
  REQUIRE(wait_until(
      [&] {
        if (changes().empty()) {
          auto node = node_named(*manager, "node4");
          const std::string next = node->availability == "active" ? "drain" : "active";
          set_availability(next);
        }
        return !changes().empty();
      },
      20s));
  // Warm-up writes may still be on their way: a value the warm-up never uses marks the end,
  // since a stream delivers events in order.
  set_availability("pause");
  REQUIRE(wait_until([&] { return changes().back() == "pause"; }, 20s));
  const auto before = changes();
  cluster().crash(2);
  const std::string next = "drain";
  set_availability(next);
  REQUIRE(wait_until([&] { return changes().size() > before.size(); }, 30s));
  watcher.stop();
  cluster().start(2);
  const auto after = changes();
  CHECK(watcher.reconnections() >= 1);
  std::vector<std::pair<std::string, std::string>> events;  // (availability, timeNano)
  {
    std::lock_guard lock(mutex);
    for (std::size_t i = 0; i < availability_changes.size(); ++i) {
      events.emplace_back(availability_changes[i], event_times[i]);
    }
  }
  INFO("before: " << join_words(before) << "; after: " << join_words(after) << " at "
                  << join_words(event_times));
  // Nothing twice: no event (what and when) delivered more than once.
  std::vector<std::string> distinct;
  {
    std::lock_guard lock(mutex);
    distinct = event_identities;
  }
  std::sort(distinct.begin(), distinct.end());
  CHECK(std::unique(distinct.begin(), distinct.end()) == distinct.end());
  // Nothing lost: exactly one change newer than the marker, the one made while the stream
  // moved. (The replay covers the marker's whole second, so a warm-up change from before the
  // watcher's first connection may also arrive; it is older than the marker.)
  const std::string marker_time = events[before.size() - 1].second;
  std::vector<std::string> newer;
  for (std::size_t i = before.size(); i < events.size(); ++i) {
    if (std::stoll(events[i].second) >= std::stoll(marker_time)) {
      newer.push_back(events[i].first);
    }
  }
  CHECK(newer == std::vector<std::string>{next});
}

TEST_CASE("a lost leader is replaced and then marked down", "[contract]") {
  Fresh fresh;
  auto follower = engine(2);
  const auto leader_name = [&]() -> std::string {
    auto nodes = follower->list_nodes();
    if (!nodes) {
      return {};  // during the election the API may stall or refuse
    }
    for (const auto& node : *nodes) {
      if (node.leader) {
        return node.hostname;
      }
    }
    return {};
  };
  const std::string before = leader_name();
  REQUIRE_FALSE(before.empty());
  const int k = std::stoi(before.substr(4));
  cluster().crash(k);
  std::string after;
  REQUIRE(wait_until(
      [&] {
        after = leader_name();
        return !after.empty() && after != before;
      },
      cluster().failure_deadline()));
  // Quorum holds (2 of 3 managers), so the new leader accepts writes. Right after the election
  // the workers re-register with the new leader and Swarm's own status writes move their
  // versions, so a write may lose that race ("update out of sequence", a conflict): read the
  // node again and resend, as the operator does.
  std::optional<model::Error> last_error;
  const bool written = wait_until(
      [&] {
        auto worker = node_named(*follower, "node4");
        if (!worker) {
          return false;
        }
        auto updated = follower->update_node(
            *worker, edit::with_labels(worker->spec, {{"contract.after", "1"}}));
        if (!updated) {
          last_error = updated.error();
        }
        return static_cast<bool>(updated);
      },
      std::chrono::seconds(30));
  INFO("last refusal: " << (last_error ? last_error->describe() : "none"));
  CHECK(written);
  // The dead ex-leader is marked down (the real engine takes about 36 s with a 5 s heartbeat).
  CHECK(wait_until([&] { return node_state(*follower, before) == "down"; },
                   cluster().failure_deadline() * 2));
  cluster().start(k);
}
