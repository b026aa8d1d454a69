// `swarm-operator sim`: the simulated cluster as a stand-alone process, for trying plan, apply
// and watch by hand, and for pointing the docker CLI at.
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "command.hpp"
#include "swarmop/sim/couchbase/couchbase_simulator.hpp"
#include "swarmop/sim/default_world.hpp"
#include "swarmop/sim/rabbitmq/rabbit_simulator.hpp"
#include "swarmop/sim/simulated_cluster.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

namespace {

// "unix:///run/x.sock" -> "/run/x.sock"; empty when the flag is absent or not a unix address.
std::string unix_path(const po::variables_map& options, Streams& io, bool& ok) {
  if (options.count("docker") == 0) {
    return {};
  }
  const std::string address = options["docker"].as<std::string>();
  if (address.rfind("unix:///", 0) != 0) {
    io.err << "swarm-operator sim: --docker takes unix:///PATH, not \"" << address << "\"\n";
    ok = false;
    return {};
  }
  return address.substr(7);
}

// `--rabbitmq N`: the RabbitMQ simulator over the world's rabbit services (guest/guest, autoheal
// like the manual's PowerFlow rabbit), and the credentials file clients read (mode 0600).
struct SimulatedRabbit {
  std::unique_ptr<sim::rabbitmq::RabbitSimulator> simulator;
  std::filesystem::path dir;
  ~SimulatedRabbit() {
    if (simulator) {
      simulator->stop();
    }
    std::error_code ec;
    if (!dir.empty()) {
      std::filesystem::remove_all(dir, ec);
    }
  }
};

bool start_rabbit(sim::SwarmWorld& world, int count, const std::string& password,
                  SimulatedRabbit& rabbit, Streams& io) {
  sim::rabbitmq::RabbitOptions options;
  options.partition_handling = "autoheal";
  if (!password.empty()) {
    options.password = password;
  }
  rabbit.simulator = std::make_unique<sim::rabbitmq::RabbitSimulator>(world, options);
  // The rabbit tasks start like any task, in wall time here.
  for (int i = 0; i < 300 && static_cast<int>(rabbit.simulator->node_names().size()) < count; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (static_cast<int>(rabbit.simulator->node_names().size()) < count) {
    io.err << "swarm-operator sim: --rabbitmq: the rabbit services did not start\n";
    return false;
  }
  std::string dir = (std::filesystem::temp_directory_path() / "swarmop-sim-rabbitmq-XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) {
    io.err << "swarm-operator sim: --rabbitmq: cannot create a directory for the credentials\n";
    return false;
  }
  rabbit.dir = dir;
  std::ofstream(rabbit.dir / "credentials") << options.user << ':' << options.password << '\n';
  std::filesystem::permissions(rabbit.dir / "credentials", std::filesystem::perms::owner_read |
                                                               std::filesystem::perms::owner_write);
  return true;
}

// `--couchbase`: the Couchbase simulator over the stack's Couchbase services, and the
// credentials file clients read (mode 0600).
struct SimulatedCouchbase {
  std::unique_ptr<sim::couchbase::CouchbaseSimulator> simulator;
  std::filesystem::path dir;
  ~SimulatedCouchbase() {
    if (simulator) {
      simulator->stop();
    }
    std::error_code ec;
    if (!dir.empty()) {
      std::filesystem::remove_all(dir, ec);
    }
  }
};

bool start_couchbase(sim::SimulatedCluster& cluster, int speed, const std::string& password,
                     SimulatedCouchbase& couchbase, Streams& io) {
  sim::couchbase::CouchbaseSimOptions options;
  if (!password.empty()) {
    options.password = password;
  }
  // --couchbase-speed: rebalances, warm-ups and self-joins take 1/speed of their usual time.
  for (auto* duration : {&options.rebalance_duration, &options.graceful_failover_duration,
                         &options.bucket_warmup, &options.index_warmup, &options.auto_join_delay}) {
    *duration /= speed;
  }
  couchbase.simulator = std::make_unique<sim::couchbase::CouchbaseSimulator>(cluster, options);
  std::string dir = (std::filesystem::temp_directory_path() / "swarmop-sim-couchbase-XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) {
    io.err << "swarm-operator sim: --couchbase: cannot create a directory for the credentials\n";
    return false;
  }
  couchbase.dir = dir;
  std::ofstream(couchbase.dir / "credentials")
      << options.username << ':' << options.password << '\n';
  std::filesystem::permissions(
      couchbase.dir / "credentials",
      std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return true;
}

}  // namespace

int run_sim(const po::variables_map& options, Streams& io) {
  const int nodes = options["nodes"].as<int>();
  const int unjoined = options["unjoined"].as<int>();
  if (nodes < 1 || nodes > 50 || unjoined < 0 || unjoined >= nodes) {
    io.err << "swarm-operator sim: --nodes must be 1 to 50 and --unjoined fewer than --nodes\n";
    return 1;
  }
  const bool couchbase = options.count("couchbase") > 0 && options["couchbase"].as<bool>();
  const int couchbase_speed = options["couchbase-speed"].as<int>();
  const std::string password =
      options.count("password") > 0 ? options["password"].as<std::string>() : std::string();
  if (couchbase_speed < 1 || couchbase_speed > 100) {
    io.err << "swarm-operator sim: --couchbase-speed takes 1 to 100\n";
    return 1;
  }
  const int rabbit_nodes = options.count("rabbitmq") > 0 ? options["rabbitmq"].as<int>() : 0;
  if (options.count("rabbitmq") > 0 && (rabbit_nodes < 1 || rabbit_nodes > nodes - unjoined)) {
    io.err << "swarm-operator sim: --rabbitmq takes 1 to the number of joined nodes\n";
    return 1;
  }
  bool ok = true;
  const std::string socket_link = unix_path(options, io, ok);
  if (!ok) {
    return 1;
  }

  sim::ClusterOptions cluster_options;
  cluster_options.manual_clock = false;
  if (options.count("docker-tcp") > 0) {
    const std::string address = options["docker-tcp"].as<std::string>();
    const std::size_t colon = address.rfind(':');
    if (colon == std::string::npos) {
      io.err << "swarm-operator sim: --docker-tcp takes HOST:PORT\n";
      return 1;
    }
    cluster_options.tcp_host = address.substr(0, colon);
    cluster_options.first_tcp_port = std::stoi(address.substr(colon + 1));
  }
  sim::DefaultWorldOptions world_options;
  world_options.nodes = nodes - unjoined;
  world_options.unjoined = unjoined;
  std::unique_ptr<sim::SimulatedCluster> cluster;
  try {
    cluster = std::make_unique<sim::SimulatedCluster>(cluster_options, [&](sim::SwarmWorld& world) {
      sim::install_default_world(world, world_options);
      if (rabbit_nodes > 1) {
        sim::rabbitmq::add_rabbit_services(world, rabbit_nodes);
      }
    });
  } catch (const std::exception& e) {
    io.err << "swarm-operator sim: could not start: " << e.what() << '\n';
    return 1;
  }

  // Faults from the command line: the same JSON rules as POST /_sim/faults.
  if (options.count("fault") > 0) {
    for (const std::string& rule : options["fault"].as<std::vector<std::string>>()) {
      boost::json::error_code ec;
      const boost::json::value json = boost::json::parse(rule, ec);
      std::string error = ec ? ec.message() : std::string();
      std::optional<sim::FaultRule> parsed;
      if (!ec) {
        parsed = sim::FaultRule::from_json(json, error);
      }
      if (!parsed) {
        io.err << "swarm-operator sim: --fault '" << rule << "': " << error << '\n';
        return 1;
      }
      cluster->faults().add(*parsed);
    }
  }
  for (const std::string flag : {"down", "partition"}) {
    if (options.count(flag) == 0) {
      continue;
    }
    for (const std::string& host : options[flag].as<std::vector<std::string>>()) {
      const auto hosts = cluster->hostnames();
      if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) {
        io.err << "swarm-operator sim: --" << flag << " " << host << ": no such node\n";
        return 1;
      }
      if (flag == "down") {
        cluster->set_node_down(host, true);
      } else {
        cluster->set_partitioned(host, true);
      }
    }
  }

  SimulatedRabbit rabbit;
  if (rabbit_nodes > 0 && !start_rabbit(cluster->world(), rabbit_nodes, password, rabbit, io)) {
    return 1;
  }
  SimulatedCouchbase couchbase_sim;
  if (couchbase && !start_couchbase(*cluster, couchbase_speed, password, couchbase_sim, io)) {
    return 1;
  }

  std::string docker_host = cluster->unix_address("node1");
  if (!socket_link.empty()) {
    // The manager's engine is also reachable at the path asked for.
    std::error_code ec;
    std::filesystem::remove(socket_link, ec);
    std::filesystem::create_symlink(docker_host.substr(7), socket_link, ec);
    if (ec) {
      io.err << "swarm-operator sim: cannot create " << socket_link << ": " << ec.message() << '\n';
      return 1;
    }
    docker_host = "unix://" + socket_link;
  }
  // The environment that points every other command (and the docker CLI) at the simulator.
  io.out << "DOCKER_HOST=" << docker_host << '\n';
  if (options.count("docker-tcp") > 0) {
    io.out << "SWARM_OPERATOR_SIM_DOCKER_TCP=" << cluster->tcp_address("node1") << '\n';
  }
  for (const std::string& host : cluster->hostnames()) {
    std::string key = host;
    for (char& c : key) {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    io.out << "SWARM_OPERATOR_SIM_ENGINE_" << key << '=' << cluster->unix_address(host) << '\n';
  }
  if (rabbit.simulator) {
    std::string urls;
    for (const auto& url : rabbit.simulator->urls()) {
      urls += (urls.empty() ? "" : ",") + url;
    }
    io.out << "SWARM_OPERATOR_RABBITMQ=" << urls << '\n';
    io.out << "SWARM_OPERATOR_RABBITMQ_CREDENTIALS=" << (rabbit.dir / "credentials").string()
           << '\n';
  }
  if (couchbase_sim.simulator) {
    std::string urls;
    for (const auto& url : couchbase_sim.simulator->endpoints()) {
      urls += (urls.empty() ? "" : ",") + url;
    }
    io.out << "SWARM_OPERATOR_COUCHBASE=" << urls << '\n';
    io.out << "SWARM_OPERATOR_COUCHBASE_CREDENTIALS="
           << (couchbase_sim.dir / "credentials").string() << '\n';
  }
  io.out.flush();

  boost::asio::io_context loop;
  boost::asio::signal_set signals(loop, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { loop.stop(); });
  loop.run();

  if (rabbit.simulator) {
    rabbit.simulator->stop();
  }
  if (couchbase_sim.simulator) {
    couchbase_sim.simulator->stop();
  }
  cluster->stop();
  if (!socket_link.empty()) {
    std::error_code ec;
    std::filesystem::remove(socket_link, ec);
  }
  return 0;
}

}  // namespace swarmop::cli
