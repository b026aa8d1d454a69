// `swarm-operator apply FILE`: converge step by step, printing progress.
#include <unistd.h>

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <optional>

#include "apply/converge.hpp"
#include "apply/plan_text.hpp"
#include "cli/apply_lease.hpp"
#include "cli/desired_file.hpp"
#include "cli/stop_signals.hpp"
#include "cli/swarm_connection.hpp"
#include "command.hpp"
#include "swarmop/clients/counting_couchbase_client.hpp"
#include "swarmop/clients/counting_docker_client.hpp"
#include "swarmop/clients/counting_rabbitmq_client.hpp"
#include "swarmop/clients/deadline_transport.hpp"
#include "swarmop/clients/manager_handover_client.hpp"
#include "swarmop/model/duration.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

int run_plan(const po::variables_map& options, Streams& io);

namespace {

void print_headline(const controller::StepReport& report, std::ostream& out) {
  out << '[' << report.number << '/' << report.total << "] "
      << controller::step_headline(report.step);
  if (report.retry > 0) {
    out << " (retry " << report.retry << ", after a backoff: it did not take)";
  }
  out << " ... ";
}

//! How the step ended. On a terminal the headline was printed when the step started (so a slow
//! step shows what it waits for); elsewhere each step is one whole line.
void print_step(const controller::StepReport& report, bool headline_shown, std::ostream& out) {
  if (!headline_shown) {
    print_headline(report, out);
  }
  if (!report.error) {
    out << "done in " << report.took.count() << " ms\n";
  } else if (report.conflict) {
    out << "conflict (changed by someone else); observing again\n";
  } else {
    out << "failed: " << report.error->describe() << '\n';
  }
  out.flush();
}

void print_remaining(const controller::ConvergeResult& result, std::ostream& out) {
  out << "remaining:\n";
  controller::print_plan_text(result.last_reports, out);
}

//! From now until `deadline`, none once it has passed.
std::chrono::milliseconds time_left(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(0));
}

//! States the real time taken next to the limit asked for, and the call the deadline cut short.
void print_timeout(const controller::ConvergeResult& result, const std::string& limit,
                   std::chrono::steady_clock::time_point started, std::ostream& err) {
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  err << "swarm-operator apply: timed out (--timeout " << limit << ") after " << std::fixed
      << std::setprecision(1) << static_cast<double>(took.count()) / 1000.0 << " s with "
      << result.steps_applied << " step(s) done\n";
  if (result.error) {
    err << "cut short: " << result.error->describe() << '\n';
  }
  if (!result.last_reports.empty()) {
    print_remaining(result, err);
  }
}

//! Where a signal stopped apply: the steps done, the one it stopped before, what remains.
void print_stopped(const controller::ConvergeResult& result, int signal, const std::string& writes,
                   std::ostream& err) {
  err << "swarm-operator apply: stopped by " << signal_name(signal) << " after "
      << result.steps_applied << " step(s) (" << writes << ")\n";
  for (const auto& step : result.applied) {
    err << "  done: " << controller::step_headline(step) << '\n';
  }
  if (result.stopped_before) {
    err << "stopped before: " << controller::step_headline(*result.stopped_before) << '\n';
  }
  print_remaining(result, err);
}

}  // namespace

int run_apply(const po::variables_map& options, Streams& io) {
  if (options["dry-run"].as<bool>()) {
    return run_plan(options, io);
  }
  const auto timeout = model::parse_duration(options["timeout"].as<std::string>());
  if (!timeout) {
    io.err << "swarm-operator apply: --timeout takes a duration such as 90s or 10m\n";
    return 1;
  }
  // One deadline for the whole command: converge's loop stops at it, and every API call ends by
  // it, retries included, so a hanging API cannot hold apply far past --timeout.
  const auto started = std::chrono::steady_clock::now();
  const clients::CallDeadline deadline(started + *timeout);
  auto desired = load_desired_file(options, "apply", io);
  if (!desired) {
    return 1;
  }
  clients::RetryPolicy policy;
  policy.deadline = deadline;
  auto connection = connect_swarm(options, policy);
  if (!connection) {
    io.err << "swarm-operator apply: " << connection.error().describe() << '\n';
    return 1;
  }
  // Through the given manager until a membership step would take it away; then through another
  // manager the file lists an engine for.
  clients::ManagerHandoverClient manager(*connection->manager);
  clients::CountingDockerClient counted(manager);
  std::vector<std::string> warnings;
  auto rabbit = connect_rabbitmq(options, *desired, warnings, deadline);
  if (!rabbit) {
    io.err << "swarm-operator apply: " << rabbit.error().describe() << '\n';
    return 1;
  }
  auto couchbase = connect_couchbase(options, *desired, warnings, deadline);
  if (!couchbase) {
    io.err << "swarm-operator apply: " << couchbase.error().describe() << '\n';
    return 1;
  }
  print_warnings("apply", warnings, io);
  // From here on SIGINT and SIGTERM stop between steps, and cut a wait short.
  StopSignals signals;
  // One writer across apply and watch: apply writes only while it holds the lease.
  watch::LeaseOptions lease_options;
  lease_options.identity = apply_identity();
  auto lease_connection = connect_swarm(options, lease_retry_policy(lease_options.duration));
  if (!lease_connection) {
    io.err << "swarm-operator apply: " << lease_connection.error().describe() << '\n';
    return 1;
  }
  ApplyLeaseOptions take_options;
  take_options.lease = lease_options;
  take_options.wait = options["wait-for-lease"].as<bool>();
  take_options.deadline = started + *timeout;
  take_options.stop_requested = [&signals] { return signals.received() != 0; };
  take_options.sleep = [&signals](std::chrono::milliseconds pause) { signals.wait(pause); };
  std::string waited_for;
  take_options.on_wait = [&](const std::string& holder) {
    if (holder != waited_for) {
      waited_for = holder;
      io.out << "waiting for the lease held by " << holder << " (taken over if it stays silent for "
             << model::format_duration(lease_options.duration) << ")\n";
      io.out.flush();
    }
  };
  auto lease = ApplyLease::take(std::move(lease_connection->manager), std::move(take_options));
  if (!lease) {
    io.err << "swarm-operator apply: " << lease.error().describe() << '\n';
    return signals.received() != 0 ? 128 + signals.received() : 1;
  }
  std::optional<clients::CountingRabbitClient> counted_rabbit;
  if (*rabbit) {
    counted_rabbit.emplace(**rabbit);
  }
  std::optional<clients::CountingCouchbaseClient> counted_couchbase;
  if (*couchbase) {
    counted_couchbase.emplace(**couchbase);
  }
  controller::ClusterClients cluster{
      counted, connection->engines, counted_rabbit ? &*counted_rabbit : nullptr,
      counted_couchbase ? &*counted_couchbase : nullptr,
      [&manager, &lease, &lease_connection](clients::DockerClientPtr next,
                                            const model::EngineEndpoint& engine) {
        manager.hand_over(std::move(next));
        if (auto lease_client = lease_connection->engines(engine)) {
          (*lease)->hand_over(std::move(*lease_client));
        }
      }};
  // cluster holds references into `connection`, `counted`, `rabbit` and `couchbase` (and their
  // counters) for the whole loop.
  controller::ConvergeOptions converge_options;
  converge_options.timeout = time_left(started + *timeout);
  const bool terminal = &io.out == &std::cout && isatty(STDOUT_FILENO) == 1;
  if (terminal) {
    converge_options.on_start = [&](const controller::StepReport& report) {
      print_headline(report, io.out);
      io.out.flush();
    };
  }
  converge_options.may_write = [&lease] { return (*lease)->check_held(); };
  converge_options.stop_requested = [&signals] { return signals.received() != 0; };
  const auto result = controller::converge(
      *desired, cluster, converge_options,
      [&](const controller::StepReport& report) { print_step(report, terminal, io.out); },
      [&signals](std::chrono::milliseconds pause) { signals.wait(pause); });

  std::string writes = std::to_string(counted.writes()) + " to the manager";
  if (counted_couchbase) {
    writes += ", " + std::to_string(counted_couchbase->writes()) + " to Couchbase";
  }
  if (counted_rabbit) {
    writes += ", " + std::to_string(counted_rabbit->writes()) + " to RabbitMQ";
  }
  writes = "writes: " + writes;
  switch (result.outcome) {
    case controller::ConvergeOutcome::kInSync:
      if (result.steps_applied == 0) {
        io.out << "in sync: nothing to change, no writes\n";
      } else {
        io.out << "in sync after " << result.steps_applied << " step"
               << (result.steps_applied == 1 ? "" : "s") << " (" << writes << ")\n";
      }
      return 0;
    case controller::ConvergeOutcome::kBlocked:
      io.out << "stopped: only blocked steps remain after " << result.steps_applied << " step"
             << (result.steps_applied == 1 ? "" : "s") << " (" << writes << ")\n";
      print_remaining(result, io.out);
      return 2;
    case controller::ConvergeOutcome::kTimeout:
      print_timeout(result, options["timeout"].as<std::string>(), started, io.err);
      return 1;
    case controller::ConvergeOutcome::kStopped:
      print_stopped(result, signals.received(), writes, io.err);
      return 128 + signals.received();  // as the shell reports a process the signal ended
    case controller::ConvergeOutcome::kError:
      break;
  }
  io.err << "swarm-operator apply: " << (result.error ? result.error->describe() : "failed")
         << "\n";
  io.err << "done before the failure: " << result.steps_applied << " step(s)";
  for (const auto& step : result.applied) {
    io.err << "\n  " << controller::step_headline(step);
  }
  io.err << '\n';
  if (!result.last_reports.empty()) {
    print_remaining(result, io.err);
  }
  return 1;
}

}  // namespace swarmop::cli
