// `swarm-operator snapshot [FILE]`: observe once and write what the reconcilers saw, secrets
// removed, for `plan --state` on machines that cannot reach the swarm.
#include <fstream>

#include "cli/desired_file.hpp"
#include "cli/swarm_connection.hpp"
#include "command.hpp"
#include "report/json_pretty.hpp"
#include "snapshot/snapshot.hpp"
#include "swarmop/reconcilers/couchbase_io.hpp"
#include "swarmop/reconcilers/rabbitmq_io.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

int run_snapshot(const po::variables_map& options, Streams& io) {
  // Without FILE no engine outside the swarm is asked: the snapshot then has no "engines" and
  // a plan that would join a node reports it cannot reach that node's engine.
  model::DesiredState desired;
  if (options.count("FILE") > 0) {
    if (options["FILE"].as<std::vector<std::string>>().size() > 1) {
      io.err << "swarm-operator snapshot: at most one FILE\n";
      return 1;
    }
    auto loaded = load_desired_file(options, "snapshot", io);
    if (!loaded) {
      return 1;
    }
    desired = std::move(*loaded);
  }
  auto connection = connect_swarm(options);
  if (!connection) {
    io.err << "swarm-operator snapshot: " << connection.error().describe() << '\n';
    return 1;
  }
  auto observed = reconcilers::observe_swarm(*connection->manager, desired, connection->engines);
  if (!observed) {
    io.err << "swarm-operator snapshot: cannot observe the swarm: " << observed.error().describe()
           << '\n';
    return 1;
  }
  snapshot::Snapshot taken{std::move(*observed), std::nullopt, std::nullopt, snapshot::new_salt(),
                           snapshot::now_rfc3339()};
  // The data stores, when the file has their sections and their endpoints are known.
  std::vector<std::string> warnings;
  auto couchbase = connect_couchbase(options, desired, warnings);
  auto rabbit = connect_rabbitmq(options, desired, warnings);
  print_warnings("snapshot", warnings, io);
  if (!couchbase || !rabbit) {
    io.err << "swarm-operator snapshot: "
           << (couchbase ? rabbit.error() : couchbase.error()).describe() << '\n';
    return 1;
  }
  if (*couchbase) {
    taken.couchbase = reconcilers::observe_couchbase(**couchbase, *connection->manager, desired);
  }
  if (*rabbit) {
    taken.rabbitmq = reconcilers::observe_rabbitmq(**rabbit, desired.rabbitmq->ha_policy.vhost);
  }
  const auto json = snapshot::to_json(taken);
  if (options.count("output") == 0) {
    report::print_json_pretty(json, io.out);
    return 0;
  }
  const std::string path = options["output"].as<std::string>();
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  report::print_json_pretty(json, file);
  file.close();
  if (!file) {
    io.err << "swarm-operator snapshot: cannot write " << path << '\n';
    return 1;
  }
  return 0;
}

}  // namespace swarmop::cli
