// `swarm-operator watch FILE`: the long-running controller.
#include <iostream>

#include "cli/desired_file.hpp"
#include "cli/swarm_connection.hpp"
#include "command.hpp"
#include "swarmop/model/duration.hpp"
#include "watch/controller.hpp"
#include "watch/http_endpoints.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

namespace {

using std::chrono::milliseconds;

//! The smallest value each duration flag takes (its help says the same, and why). Below these
//! the controller spins: --lease-duration 1ms made 581 lease writes in 5 s, --resync 1ms used
//! half a core.
struct DurationFlag {
  const char* name;
  milliseconds minimum;
};
constexpr DurationFlag kResync{"resync", milliseconds(1000)};
constexpr DurationFlag kFileStable{"file-stable", milliseconds(100)};
constexpr DurationFlag kBackoffBase{"backoff-base", milliseconds(100)};
constexpr DurationFlag kBackoffCap{"backoff-cap", milliseconds(1000)};
constexpr DurationFlag kLeaseDuration{"lease-duration", milliseconds(3000)};
constexpr DurationFlag kRemovalSettle{"removal-settle", milliseconds(0)};
constexpr DurationFlag kShutdownGrace{"shutdown-grace", milliseconds(1000)};

std::optional<milliseconds> duration_flag(const po::variables_map& options, DurationFlag flag,
                                          Streams& io) {
  const std::string text = options[flag.name].as<std::string>();
  const auto parsed = model::parse_duration(text);
  if (!parsed) {
    io.err << "swarm-operator watch: --" << flag.name
           << " takes a duration such as 500ms, 30s or 5m\n";
    return std::nullopt;
  }
  if (*parsed < flag.minimum) {
    io.err << "swarm-operator watch: --" << flag.name << " " << text << " is below its minimum of "
           << model::format_duration(flag.minimum) << '\n';
    return std::nullopt;
  }
  return *parsed;
}

//! A --listen address that is well formed and, without --listen-any, loopback; else prints why.
bool listen_allowed(const std::string& listen, bool any, Streams& io) {
  if (listen.empty()) {
    return true;  // no endpoints
  }
  std::string error;
  watch::LoopbackCheck check;
  if (!watch::parse_listen(listen, error)) {
    check = {watch::LoopbackCheck::Verdict::kBadAddress, error};
  } else if (!any) {
    check = watch::check_loopback_listen(listen);
  } else {
    return true;  // the bind resolves it and reports a failure with the resolver's reason
  }
  if (check.verdict == watch::LoopbackCheck::Verdict::kLoopback) {
    return true;
  }
  io.err << "swarm-operator watch: --listen " << listen << ": " << check.reason;
  if (check.verdict == watch::LoopbackCheck::Verdict::kNotLoopback) {
    io.err << "; add --listen-any to serve it there";
  }
  io.err << '\n';
  return false;
}

}  // namespace

int run_watch(const po::variables_map& options, Streams& io) {
  watch::ControllerOptions settings;
  settings.file = options["FILE"].as<std::vector<std::string>>().front();
  settings.listen = options["listen"].as<std::string>();
  if (!listen_allowed(settings.listen, options["listen-any"].as<bool>(), io)) {
    return 1;
  }
  const auto resync = duration_flag(options, kResync, io);
  const auto base = duration_flag(options, kBackoffBase, io);
  const auto cap = duration_flag(options, kBackoffCap, io);
  const auto lease = duration_flag(options, kLeaseDuration, io);
  const auto stable = duration_flag(options, kFileStable, io);
  const auto removal_settle = duration_flag(options, kRemovalSettle, io);
  const auto shutdown_grace = duration_flag(options, kShutdownGrace, io);
  if (!resync || !base || !cap || !lease || !stable || !removal_settle || !shutdown_grace) {
    return 1;
  }
  settings.shutdown_grace = *shutdown_grace;
  settings.removal_settle = *removal_settle;
  settings.file_stable = *stable;
  settings.resync = *resync;
  settings.backoff.base = *base;
  settings.backoff.cap = std::max(*cap, *base);
  settings.lease.duration = *lease;
  const std::string format = options["log-format"].as<std::string>();
  if (format != "text" && format != "json") {
    io.err << "swarm-operator watch: --log-format takes text or json\n";
    return 1;
  }
  const auto level = watch::parse_log_level(options["log-level"].as<std::string>());
  if (!level) {
    io.err << "swarm-operator watch: --log-level takes debug, info, warn or error\n";
    return 1;
  }
  // The endpoints of the data stores come from the file as it is at start-up.
  auto desired = load_desired_file(options, "watch", io);
  if (!desired) {
    return 1;
  }
  // Every call of the passes (the manager, node engines, Couchbase, RabbitMQ) can be abandoned
  // once the shutdown grace is over: a hanging API then cannot hold the exit.
  const auto stop_calls = clients::CallDeadline::abandonable();
  clients::RetryPolicy pass_policy;
  pass_policy.deadline = stop_calls;
  auto connection = connect_swarm(options, pass_policy);
  auto events = connect_swarm(options);
  auto lease_connection = connect_swarm(options, lease_retry_policy(settings.lease.duration));
  if (!connection || !events || !lease_connection) {
    io.err << "swarm-operator watch: "
           << (!connection ? connection.error()
               : !events   ? events.error()
                           : lease_connection.error())
                  .describe()
           << '\n';
    return 1;
  }
  watch::WatchLog log(format == "json" ? watch::LogFormat::kJson : watch::LogFormat::kText);
  log.set_level(*level);
  std::vector<std::string> warnings;
  auto rabbit = connect_rabbitmq(options, *desired, warnings, stop_calls);
  auto couchbase = connect_couchbase(options, *desired, warnings, stop_calls);
  if (!rabbit || !couchbase) {
    io.err << "swarm-operator watch: " << (rabbit ? couchbase.error() : rabbit.error()).describe()
           << '\n';
    return 1;
  }
  for (const auto& warning : warnings) {
    log.warn("credentials-file", {{"warning", warning}});
  }
  watch::ControllerClients clients{
      *connection->manager, connection->engines, couchbase->get(), rabbit->get(), {}};
  clients.event_clients.push_back(std::move(events->manager));
  clients.lease_docker = std::move(lease_connection->manager);
  clients.abandon_calls = [stop_calls] { stop_calls.abandon(); };
  watch::Controller controller(settings, std::move(clients), std::move(log));
  return controller.run();
}

}  // namespace swarmop::cli
