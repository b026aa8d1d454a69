#include "swarmop/sim/simulated_cluster.hpp"

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace swarmop::sim {

namespace json = boost::json;

SimulatedCluster::SimulatedCluster(ClusterOptions options,
                                   const std::function<void(SwarmWorld&)>& build)
    : options_(std::move(options)) {
  std::shared_ptr<Clock> clock;
  if (options_.manual_clock) {
    manual_clock_ = std::make_shared<ManualClock>();
    clock = manual_clock_;
  } else {
    clock = std::make_shared<SystemClock>();
  }
  world_ = std::make_unique<SwarmWorld>(clock, options_.world);
  if (build) {
    build(*world_);
  }
  if (options_.unix_sockets) {
    socket_dir_ = options_.socket_dir;
    if (socket_dir_.empty()) {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "swarmop-sim-XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("cannot create a socket directory in " + pattern);
      }
      socket_dir_ = pattern;
      own_socket_dir_ = true;
    } else {
      std::filesystem::create_directories(socket_dir_);
    }
  }
  try {
    for (const auto& hostname : world_->hostnames()) {
      start_engine(hostname);
    }
  } catch (...) {
    stop();
    throw;
  }
  ticker_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      world_->tick();
      if (!manual_clock_) {
        changed();  // wall time moved; a manual clock moves only in advance()
      }
      lock.lock();
      stop_ticker_.wait_for(lock, options_.tick_interval, [this] { return stopping_; });
    }
  });
}

SimulatedCluster::~SimulatedCluster() {
  stop();
}

void SimulatedCluster::start_engine(const std::string& hostname) {
  EngineServerOptions engine_options;
  engine_options.hostname = hostname;
  engine_options.tcp_host = options_.tcp_host;
  engine_options.tcp_port = -1;
  engine_options.after_write = [this] { changed(); };
  std::lock_guard lock(mutex_);
  if (options_.tcp) {
    engine_options.tcp_port = options_.first_tcp_port == 0
                                  ? 0
                                  : options_.first_tcp_port + static_cast<int>(engines_.size());
  }
  if (options_.unix_sockets) {
    engine_options.unix_socket_path = socket_dir_ + "/" + hostname + ".sock";
  }
  auto control = [this](const std::string& method, const std::string& path,
                        const std::map<std::string, std::string>& params, const std::string& body) {
    return this->control(method, path, params, body);
  };
  engines_[hostname] =
      std::make_unique<EngineServer>(*world_, faults_, control, std::move(engine_options));
}

void SimulatedCluster::advance(std::chrono::nanoseconds by) {
  if (!manual_clock_) {
    throw std::logic_error("advance() needs a manual clock");
  }
  manual_clock_->advance(by);
  world_->tick();
  changed();
}

int SimulatedCluster::observe_changes(std::function<void()> observer) {
  std::lock_guard lock(observers_mutex_);
  const int handle = ++next_observer_;
  observers_[handle] = std::make_shared<const std::function<void()>>(std::move(observer));
  return handle;
}

void SimulatedCluster::stop_observing(int handle) {
  std::lock_guard lock(observers_mutex_);
  observers_.erase(handle);
}

void SimulatedCluster::changed() {
  std::vector<std::shared_ptr<const std::function<void()>>> observers;
  {
    std::lock_guard lock(observers_mutex_);
    for (const auto& [handle, observer] : observers_) {
      observers.push_back(observer);
    }
  }
  for (const auto& observer : observers) {
    (*observer)();
  }
}

std::vector<std::string> SimulatedCluster::hostnames() const {
  return world_->hostnames();
}

EngineServer& SimulatedCluster::engine(const std::string& hostname) const {
  std::lock_guard lock(mutex_);
  const auto it = engines_.find(hostname);
  if (it == engines_.end()) {
    throw std::out_of_range("no engine for host " + hostname);
  }
  return *it->second;
}

std::string SimulatedCluster::tcp_address(const std::string& hostname) const {
  return engine(hostname).tcp_address();
}

std::string SimulatedCluster::unix_address(const std::string& hostname) const {
  return engine(hostname).unix_address();
}

std::string SimulatedCluster::leader_address() const {
  for (const auto& node : world_->nodes()) {
    if (node.leader) {
      const auto& server = engine(node.hostname);
      return options_.tcp ? server.tcp_address() : server.unix_address();
    }
  }
  throw std::runtime_error("the simulated swarm has no leader");
}

void SimulatedCluster::set_node_down(const std::string& hostname, bool down) {
  engine(hostname).set_reachable(!down);
  world_->set_engine_up(hostname, !down);
}

void SimulatedCluster::set_partitioned(const std::string& hostname, bool partitioned) {
  world_->set_partitioned(hostname, partitioned);
}

void SimulatedCluster::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !ticker_.joinable() && engines_.empty()) {
      return;
    }
    stopping_ = true;
  }
  stop_ticker_.notify_all();
  if (ticker_.joinable()) {
    ticker_.join();
  }
  // Held requests and open event streams must end before the servers can join their threads.
  world_->shutdown();
  faults_.release_all();
  std::map<std::string, std::unique_ptr<EngineServer>> engines;
  {
    std::lock_guard lock(mutex_);
    engines.swap(engines_);
  }
  for (auto& [hostname, server] : engines) {
    server->stop();
  }
  engines.clear();
  if (own_socket_dir_) {
    std::error_code ignored;
    std::filesystem::remove_all(socket_dir_, ignored);
    own_socket_dir_ = false;
  }
}

ApiReply SimulatedCluster::control(const std::string& method, const std::string& path,
                                   const std::map<std::string, std::string>& params,
                                   const std::string& body) {
  try {
    if (method == "GET" && path == "/state") {
      return ApiReply{200, world_->state_json()};
    }
    if (method == "GET" && path == "/data") {
      return ApiReply{200, world_->data_json()};
    }
    if (method == "GET" && path == "/data/losses") {
      return ApiReply{200, world_->data_json().at("Losses")};
    }
    if (method == "GET" && path == "/endpoints") {
      json::object out;
      for (const auto& hostname : hostnames()) {
        out[hostname] =
            json::object{{"tcp", tcp_address(hostname)}, {"unix", unix_address(hostname)}};
      }
      return ApiReply{200, std::move(out)};
    }
    if (method == "POST" && path.starts_with("/nodes/")) {
      const std::string rest = path.substr(7);
      const auto slash = rest.find('/');
      const std::string hostname = rest.substr(0, slash);
      const std::string what = slash == std::string::npos ? "" : rest.substr(slash + 1);
      if (!world_->host(hostname)) {
        return ApiReply::error(404, "no simulated host " + hostname);
      }
      if (what == "down" || what == "up") {
        set_node_down(hostname, what == "down");
      } else if (what == "partition" || what == "heal") {
        set_partitioned(hostname, what == "partition");
      } else {
        return ApiReply::error(404, "unknown node action '" + what + "'");
      }
      return ApiReply{200, nullptr};
    }
    if (path == "/faults" && method == "DELETE") {
      faults_.clear();
      return ApiReply{200, nullptr};
    }
    if (path.starts_with("/faults/") && method == "DELETE") {
      faults_.remove(std::stoull(path.substr(8)));
      return ApiReply{200, nullptr};
    }
    if (path == "/faults" && method == "POST") {
      boost::system::error_code code;
      json::value parsed = json::parse(body, code);
      if (code) {
        return ApiReply::error(400, "fault rules must be JSON: " + code.message());
      }
      json::array rules;
      if (parsed.is_array()) {
        rules = parsed.get_array();
      } else if (parsed.is_object() && parsed.get_object().contains("rules")) {
        rules = parsed.at("rules").as_array();
      } else {
        rules.push_back(parsed);
      }
      std::vector<FaultRule> checked;
      for (const auto& item : rules) {
        std::string error;
        auto rule = FaultRule::from_json(item, error);
        if (!rule) {
          return ApiReply::error(400, error);
        }
        checked.push_back(std::move(*rule));
      }
      json::array ids;
      for (auto& rule : checked) {
        ids.push_back(faults_.add(std::move(rule)));
      }
      return ApiReply{201, json::object{{"IDs", std::move(ids)}}};
    }
    if (method == "POST" && path == "/clock/advance") {
      if (!manual_clock_) {
        return ApiReply::error(409, "the simulator runs on the wall clock");
      }
      const auto seconds = params.find("seconds");
      const double value = seconds != params.end() ? std::stod(seconds->second) : 0.0;
      advance(std::chrono::nanoseconds(static_cast<std::int64_t>(value * 1e9)));
      return ApiReply{200, json::object{{"Now", manual_clock_->now()}}};
    }
  } catch (const std::exception& e) {
    return ApiReply::error(400, e.what());
  }
  return ApiReply::error(404, "page not found");
}

}  // namespace swarmop::sim
