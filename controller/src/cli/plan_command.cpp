// `swarm-operator plan FILE`: observe, plan every swarm reconciler, print; write nothing.
#include "apply/plan_text.hpp"
#include "cli/desired_file.hpp"
#include "cli/swarm_connection.hpp"
#include "command.hpp"
#include "swarmop/reconcilers/swarm_reconcilers.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

int run_plan(const po::variables_map& options, Streams& io) {
  if (options.count("output") > 0 && options["output"].as<std::string>() != "text") {
    io.err << "swarm-operator plan: --output " << options["output"].as<std::string>()
           << " is not built in this version yet (text is)\n";
    return 1;
  }
  if (options.count("state") > 0) {
    io.err << "swarm-operator plan: --state is not built in this version yet\n";
    return 1;
  }
  auto desired = load_desired_file(options, "plan", io);
  if (!desired) {
    return 1;
  }
  auto connection = connect_swarm(options);
  if (!connection) {
    io.err << "swarm-operator plan: " << connection.error().describe() << '\n';
    return 1;
  }
  auto observed = reconcilers::observe_swarm(*connection->manager, *desired, connection->engines);
  if (!observed) {
    io.err << "swarm-operator plan: cannot observe the swarm: " << observed.error().describe()
           << '\n';
    return 1;
  }
  std::vector<model::PlanReport> reports;
  for (const auto& plan : reconcilers::plan_swarm(*desired, *observed)) {
    reports.push_back(plan.report());
  }
  controller::print_plan_text(reports, io.out);
  bool in_sync = true;
  bool blocked = false;
  for (const auto& report : reports) {
    in_sync = in_sync && report.in_sync();
    blocked = blocked || !report.blocked.empty();
  }
  if (blocked && options.count("fail-on-blocked") > 0 && options["fail-on-blocked"].as<bool>()) {
    return 1;
  }
  return in_sync ? 0 : 2;
}

}  // namespace swarmop::cli
