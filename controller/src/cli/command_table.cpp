#include <string>

#include "command.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

namespace {

// Where the cluster is. Shared by every command that talks to it.
void add_cluster_options(po::options_description& options) {
  options.add_options()(
      "docker", po::value<std::string>()->value_name("URL"),
      "Docker Engine endpoint of a swarm manager: unix:///PATH, tcp://HOST:PORT (TLS from "
      "DOCKER_TLS_VERIFY and DOCKER_CERT_PATH). Default: $DOCKER_HOST, else "
      "unix:///var/run/docker.sock")(
      "couchbase", po::value<std::string>()->value_name("URL[,URL...]"),
      "Couchbase REST endpoints, primary first. Default: $SWARM_OPERATOR_COUCHBASE, else "
      "spec.couchbase.endpoints")(
      "rabbitmq", po::value<std::string>()->value_name("URL[,URL...]"),
      "RabbitMQ management endpoints. Default: $SWARM_OPERATOR_RABBITMQ, else "
      "spec.rabbitmq.endpoints")(
      "couchbase-credentials", po::value<std::string>()->value_name("FILE"),
      "file holding \"username:password\" for Couchbase. Default: "
      "$SWARM_OPERATOR_COUCHBASE_CREDENTIALS, else spec.couchbase.credentials")(
      "rabbitmq-credentials", po::value<std::string>()->value_name("FILE"),
      "file holding \"username:password\" for RabbitMQ. Default: "
      "$SWARM_OPERATOR_RABBITMQ_CREDENTIALS, else spec.rabbitmq.credentials");
}

constexpr std::pair<int, std::string_view> kPlanExitCodes[] = {
    {0, "in sync: nothing to change"},
    {1,
     "error: invalid file, cluster unreachable, data-store credentials refused, unreadable "
     "snapshot, or bad arguments; with "
     "--fail-on-blocked, also a blocked step"},
    {2, "changes pending (or blocked steps)"}};

std::vector<Command> build_table() {
  std::vector<Command> table;
  table.push_back(Command{
      "validate",
      "check desired-state files; report every problem with its line and column",
      "[--strict] [--print-json] FILE...",
      "Reads each FILE as a SwarmCluster document and checks it in three passes: YAML syntax "
      "and encoding; the JSON Schema in crd/swarmcluster.schema.json (types, allowed values, "
      "unknown fields with a suggestion); then the rules a schema cannot express (manager "
      "quorum, replicas that cannot be placed, constraints no node satisfies, references "
      "between sections, the manual's high-availability advice). Findings are printed to "
      "standard error as FILE:LINE:COLUMN: error|warning: MESSAGE. Nothing is contacted and "
      "nothing is changed.",
      {{0, "every file is valid (warnings allowed unless --strict)"},
       {1, "at least one file has an error (or a warning, with --strict), or bad arguments"}},
      [](po::options_description& options) {
        options.add_options()("strict", po::bool_switch(), "treat warnings as errors")(
            "print-json", po::bool_switch(),
            "print each file that parses as YAML as one line of JSON on standard output (the "
            "document as written, typed by the YAML 1.2 core schema, no defaults added), for "
            "external JSON Schema validators");
      },
      {{"FILE", -1}},
      run_validate});
  table.push_back(Command{
      "plan",
      "show the ordered steps that would make the cluster match FILE; change nothing",
      "FILE [--output text|json|markdown] [--color auto|always|never] [--state SNAPSHOT] "
      "[--fail-on-blocked] [cluster options]",
      "Observes the cluster (or a snapshot taken with `snapshot`) and prints, per reconciler "
      "(membership, labels & constraints, placement, couchbase, rabbitmq), the steps apply "
      "would take in order, the reason for each, and what is blocked and why. Writes nothing. "
      "json is the versioned format of docs/plan-report.md (crd/plan-report.schema.json); "
      "markdown is a pull-request comment of bounded size. Environment values are never "
      "printed.",
      {std::begin(kPlanExitCodes), std::end(kPlanExitCodes)},
      [](po::options_description& options) {
        options.add_options()("output,o",
                              po::value<std::string>()->default_value("text")->value_name("FORMAT"),
                              "text, json or markdown")(
            "color", po::value<std::string>()->default_value("auto")->value_name("WHEN"),
            "colour the text output: auto (a terminal, unless NO_COLOR is set), always, never")(
            "state", po::value<std::string>()->value_name("SNAPSHOT"),
            "plan against a snapshot file instead of the live cluster")(
            "fail-on-blocked", po::bool_switch(), "exit 1 when any step is blocked");
        add_cluster_options(options);
      },
      {{"FILE", 1}},
      run_plan});
  table.push_back(Command{
      "apply",
      "converge the cluster to FILE: one safe step at a time, re-observing between steps",
      "FILE [--timeout DURATION] [--dry-run] [--wait-for-lease] [cluster options]",
      "Applies the plan step by step. After each step the cluster is observed again and the "
      "plan is recomputed, until the cluster is in sync, every remaining step is blocked, or "
      "the timeout passes. Every write carries the object's version; a conflict re-observes. "
      "A second apply on a converged cluster makes no writes. Apply writes only while it holds "
      "the lease a watch controller holds (the labels of the 0-replica service "
      "swarm-operator-lease), so two applies, or an apply beside a watch, never send the same "
      "write twice: when another writer holds it, apply refuses and names it (or waits, with "
      "--wait-for-lease), and releases it when done. SIGINT or SIGTERM stops it "
      "after the step in flight, with a summary of where it stopped; a second signal exits at "
      "once.",
      {{0, "in sync"},
       {1, "error or timeout, or the lease held by another writer"},
       {2, "stopped with blocked steps"},
       {130, "stopped by SIGINT"},
       {143, "stopped by SIGTERM"}},
      [](po::options_description& options) {
        options.add_options()(
            "timeout", po::value<std::string>()->default_value("10m")->value_name("DURATION"),
            "give up after this long; every API call, retries included, ends by then")(
            "dry-run", po::bool_switch(), "print the plan and change nothing (same as plan)")(
            "wait-for-lease", po::bool_switch(),
            "when another writer (a watch controller, another apply) holds the lease, wait until "
            "it lets go or stays silent for the lease's 15 s, instead of refusing");
        add_cluster_options(options);
      },
      {{"FILE", 1}},
      run_apply});
  table.push_back(Command{
      "watch",
      "run the controller: keep the cluster matching FILE, serve status and metrics",
      "FILE [--listen ADDR] [--resync DURATION] [--log-format text|json] [--log-level LEVEL] "
      "[cluster options]",
      "The long-running controller. Each reconciler (membership, labels, placement, couchbase, "
      "rabbitmq) has its own queue entry: its passes never overlap, triggers that arrive during "
      "a pass collapse into one follow-up, and a slow or failing reconciler never holds up the "
      "others. Passes are triggered by changes to FILE (inotify on its directory: writes, "
      "renames as git does, symlink swaps as git-sync does; new content is taken once it reads "
      "the same twice --file-stable apart, so a file written in place is never acted on half "
      "written), by Docker node and service events, by the resync timer, by a reconciler waiting "
      "for something (a rollout, a rebalance), and by retries after errors with exponential "
      "backoff and jitter, reset on success. A FILE that stops validating (or stops being a "
      "regular file) changes nothing: the last good document stays in force and the errors show "
      "in /status and the log. Only the "
      "controller holding the lease (the labels of a 0-replica service named "
      "swarm-operator-lease, updated with Swarm's object version) writes; another one observes "
      "and serves status. SIGTERM/SIGINT: no new step starts, the ones in flight finish "
      "(within --shutdown-grace, then their calls are abandoned), exit 0. SIGHUP re-reads FILE. "
      "Serves /healthz, /readyz, /status (JSON: per reconciler its "
      "sync and health conditions, last pass, the plan left) and /metrics (Prometheus) on "
      "ADDR, read-only: one GET or HEAD per connection, no request body (405 or 413 from the "
      "headers alone), the request within 2 s of connecting, so idle or slow clients cannot "
      "starve /healthz.",
      {{0, "stopped by SIGTERM or SIGINT after finishing the passes in flight"},
       {1,
        "could not start (bad arguments, a duration below its minimum, no valid FILE at "
        "start-up, ADDR not resolving to loopback addresses only without --listen-any, ADDR "
        "taken)"}},
      [](po::options_description& options) {
        options.add_options()(
            "listen", po::value<std::string>()->default_value("127.0.0.1:9180")->value_name("ADDR"),
            "address of the read-only HTTP endpoints (HOST:PORT; port 0 picks one; \"\" for "
            "none; a name must resolve to loopback addresses only)")(
            "listen-any", po::bool_switch(),
            "allow ADDR to be other than loopback (the endpoints serve no secret, but "
            "they show the cluster's shape)")(
            "resync", po::value<std::string>()->default_value("30s")->value_name("DURATION"),
            "re-plan every reconciler at least this often (at least 1s: each resync re-reads FILE "
            "and observes the whole swarm)")(
            "file-stable", po::value<std::string>()->default_value("1s")->value_name("DURATION"),
            "take new FILE content only once it reads the same twice this far apart (at least "
            "100ms: FILE is read again this often while it changes)")(
            "backoff-base", po::value<std::string>()->default_value("1s")->value_name("DURATION"),
            "first retry delay after a failed pass (doubles per failure, +-20% jitter; at least "
            "100ms)")("backoff-cap",
                      po::value<std::string>()->default_value("5m")->value_name("DURATION"),
                      "longest retry delay (at least 1s: a reconciler that keeps failing retries "
                      "at most once "
                      "a second)")(
            "shutdown-grace",
            po::value<std::string>()->default_value("30s")->value_name("DURATION"),
            "on SIGTERM/SIGINT, how long the passes in flight may take to finish; then their API "
            "calls are abandoned and it exits within seconds, the lease released or, when the "
            "API does not answer, left to expire (at least 1s; keep the stack's "
            "stop_grace_period above it)")(
            "removal-settle",
            po::value<std::string>()->default_value("10s")->value_name("DURATION"),
            "a step that takes a member away for good (a Couchbase node rebalanced out, a swarm "
            "node leaving or removed) waits until the file content in force has stood this long, "
            "so an edit finished or reverted a little later never costs a member")(
            "lease-duration",
            po::value<std::string>()->default_value("15s")->value_name("DURATION"),
            "how long a silent lease holder keeps the lease before another controller takes it (at "
            "least 3s: the holder renews every third of it, and each lease call may take 1 s)")(
            "log-format", po::value<std::string>()->default_value("text")->value_name("FORMAT"),
            "text or json")(
            "log-level", po::value<std::string>()->default_value("info")->value_name("LEVEL"),
            "debug, info, warn or error; debug adds a line per pass (its outcome, next step, "
            "what it waits for or what blocks it), per Docker event and per lease refresh");
        add_cluster_options(options);
      },
      {{"FILE", 1}},
      run_watch});
  table.push_back(
      Command{"snapshot",
              "capture what every reconciler observes, secrets removed, for offline plans",
              "[FILE] [-o OUT] [cluster options]",
              "Writes a versioned JSON snapshot of what the reconcilers observe (nodes, services, "
              "tasks; the format keeps sections for Couchbase and RabbitMQ state), with "
              "credentials and join tokens removed, for `plan --state` "
              "(docs/snapshot.md). Environment values, container arguments and commands are "
              "replaced by salted digests. With FILE (a desired-state file), the engines of listed "
              "nodes that are "
              "outside the swarm are asked too, so an offline plan can join them.",
              {{0, "snapshot written"}, {1, "error"}},
              [](po::options_description& options) {
                options.add_options()("output,o", po::value<std::string>()->value_name("OUT"),
                                      "write here instead of standard output");
                add_cluster_options(options);
              },
              {{"FILE", -1}},
              run_snapshot});
  table.push_back(
      Command{"diff",
              "show what changes between two desired-state files and which reconcilers it wakes",
              "OLD NEW",
              "Compares two SwarmCluster documents as written, without any cluster: prints each "
              "changed field (+ added, - removed, ~ changed; swarm nodes matched by hostname; "
              "env values redacted) and the reconcilers the change wakes.",
              {{0, "no difference"}, {1, "error"}, {2, "the files differ"}},
              {},
              {{"OLD", 1}, {"NEW", 1}},
              run_diff});
  table.push_back(Command{
      "render",
      "print a docker-compose-override.yml or an HAProxy configuration matching FILE",
      "compose-override|haproxy FILE",
      "compose-override: replicas, constraints, max replicas per node, grace periods and "
      "environment, so a later `docker stack deploy` does not fight the operator. haproxy: a "
      "load balancer for the manager nodes with the manual's health checks (443, 5556, 3141). "
      "Printed on standard output; FILE is read like validate reads it (an invalid FILE prints "
      "FILE:LINE:COLUMN errors and nothing else) and nothing is contacted. Environment values "
      "are copied into the compose override as FILE writes them.",
      {{0, "printed"}, {1, "invalid FILE, unknown WHAT, or bad arguments"}},
      {},
      {{"WHAT", 1}, {"FILE", 1}},
      run_render});
  table.push_back(Command{
      "healthcheck",
      "exit 0 when the controller's /healthz answers 200 (the image's HEALTHCHECK)",
      "[--url URL]",
      "GETs URL (default: /healthz on the watch command's default --listen address) with a 3 s "
      "timeout, for a container HEALTHCHECK where no curl is installed: HEALTHCHECK CMD "
      "[\"swarm-operator\", \"healthcheck\"]. HTTP 200 exits 0 and prints nothing; anything "
      "else prints one line to standard error saying what came back (the status and the first "
      "line of the body, or why no answer came) and exits 1.",
      {{0, "URL answered 200"},
       {1, "URL answered another status, did not answer within 3 s, or is not an http(s) URL"}},
      [](po::options_description& options) {
        options.add_options()("url",
                              po::value<std::string>()
                                  ->default_value("http://127.0.0.1:9180/healthz")
                                  ->value_name("URL"),
                              "what to GET (http:// or https://)");
      },
      {},
      run_healthcheck});
  table.push_back(Command{
      "sim",
      "run the simulated cluster (Docker, Couchbase, RabbitMQ APIs) until interrupted",
      "[--nodes N] [--unjoined K] [--docker unix:///PATH] [--docker-tcp ADDR] "
      "[--couchbase [--couchbase-speed N]] [--rabbitmq N]",
      "Starts a simulated fresh single-node Skylar Automation install (stack iservices: gui, "
      "contentapi, couchbase, rabbitmq, steprunner, dexserver, redis on node1) with N-1 more "
      "nodes, and prints KEY=VALUE lines that point every other command, and the docker CLI, "
      "at it: DOCKER_HOST (node1, the manager) and SWARM_OPERATOR_SIM_ENGINE_NODEK (each "
      "node's own engine, for join and leave). The last K nodes (--unjoined) run an engine "
      "but are not in the swarm. Every engine also serves a test API under /_sim/ (node "
      "down/up, partition, injected faults). Runs until SIGINT or SIGTERM. With --couchbase "
      "every Couchbase service serves the admin REST API (Administrator/password) and "
      "SWARM_OPERATOR_COUCHBASE and SWARM_OPERATOR_COUCHBASE_CREDENTIALS are printed too. "
      "With --rabbitmq N the rabbit nodes serve the RabbitMQ management API (guest/guest, "
      "one port each) and SWARM_OPERATOR_RABBITMQ and SWARM_OPERATOR_RABBITMQ_CREDENTIALS are "
      "printed too.",
      {{0, "stopped by a signal"}, {1, "could not start"}},
      [](po::options_description& options) {
        options.add_options()("nodes", po::value<int>()->default_value(1)->value_name("N"),
                              "swarm nodes")(
            "unjoined", po::value<int>()->default_value(0)->value_name("K"),
            "of those, the last K run an engine but are not in the swarm yet")(
            "docker", po::value<std::string>()->value_name("unix:///PATH"),
            "unix socket of the simulated Docker API")(
            "docker-tcp", po::value<std::string>()->value_name("ADDR"),
            "also serve the Docker API on this loopback address")(
            "couchbase", po::bool_switch(),
            "also serve the Couchbase admin REST API of every Couchbase service (the stack's "
            "couchbase, and the workers apply creates from the file), one port each")(
            "couchbase-speed", po::value<int>()->default_value(1)->value_name("N"),
            "simulated Couchbase rebalances, warm-ups and self-joins take 1/N of their usual "
            "time (auto-failover timeouts do not change)")(
            "rabbitmq", po::value<int>()->value_name("N"),
            "also serve the RabbitMQ management API of N clustered rabbit nodes (1: the "
            "stack's rabbitmq; more: the manual's HA services rabbitmq2..N pinned to "
            "node2..N; needs N joined nodes), guest/guest, autoheal")(
            "password", po::value<std::string>()->value_name("SECRET"),
            "the Couchbase and RabbitMQ password instead of password and guest (written to the "
            "credentials files; tests use it to look for the secret in what others print)")(
            "fault", po::value<std::vector<std::string>>()->value_name("JSON"),
            "inject a fault, as POST /_sim/faults takes it (repeatable), e.g. "
            "'{\"path\":\"/services\",\"status\":500,\"count\":3}'; fields: node, method, "
            "path, latencyMs, status, message, drop, hang, hangMs, count, probability, seed")(
            "down", po::value<std::vector<std::string>>()->value_name("NODE"),
            "start with this node's daemon down (repeatable)")(
            "partition", po::value<std::vector<std::string>>()->value_name("NODE"),
            "start with this node cut off from the others (repeatable)");
      },
      {},
      run_sim});
  table.push_back(Command{
      "demo",
      "run the controller against the embedded simulated cluster and show it heal a failure",
      "[FILE] [--speed N]",
      "Starts the simulated fresh install (swarm, Couchbase and RabbitMQ APIs) on a clock that "
      "runs N times faster than wall time, runs the watch controller against it with FILE "
      "(default examples/three-node.yaml), shows each step as it happens, then crashes node3 "
      "and brings it back: Couchbase fails its node over by itself, the controller recovers it "
      "when it returns and re-spreads what Swarm left unevenly placed. Ends with a summary.",
      {{0, "converged, and healed after the crash"}, {1, "it did not, or bad arguments"}},
      [](po::options_description& options) {
        options.add_options()("speed", po::value<int>()->default_value(20)->value_name("N"),
                              "how much faster than wall time the simulated clock runs");
      },
      {{"FILE", -1}},
      run_demo});
  return table;
}

}  // namespace

const std::vector<Command>& command_table() {
  static const std::vector<Command> table = build_table();
  return table;
}

}  // namespace swarmop::cli
