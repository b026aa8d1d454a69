#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "swarmop/clients/deadline_transport.hpp"
#include "swarmop/clients/docker_client.hpp"
#include "swarmop/clients/http_transport.hpp"

namespace swarmop::clients {

//! The Engine API versions this client speaks. It uses the newest the engine also speaks.
inline constexpr std::pair<int, int> kMinDockerApi{1, 41};
inline constexpr std::pair<int, int> kMaxDockerApi{1, 45};

struct RetryPolicy {
  int attempts = 3;  //!< for reads only; writes are sent once
  std::chrono::milliseconds base_delay{100};
  //! Caps every call's own timeout. The lease's client sets it short: an API stalled for tens of
  //! seconds (seen while a promoted manager joins raft) must not hold a renewal or a takeover
  //! past the lease's duration.
  std::optional<std::chrono::milliseconds> call_timeout = std::nullopt;
  //! apply's --timeout: every attempt ends by it, and no retry starts after it.
  CallDeadline deadline{};
};

//! DockerClient over HTTP. Negotiates the API version with GET /version on first use.
class DockerHttpClient final : public DockerClient {
 public:
  explicit DockerHttpClient(std::unique_ptr<HttpTransport> transport, RetryPolicy retry = {});

  model::Expected<EngineVersion> version() override;
  model::Expected<EngineInfo> info() override;
  model::Expected<SwarmInfo> inspect_swarm() override;
  model::Expected<std::vector<DockerNode>> list_nodes() override;
  model::Expected<DockerNode> inspect_node(const std::string& id_or_name) override;
  model::Expected<model::Unit> update_node(const DockerNode& node,
                                           const boost::json::object& spec) override;
  model::Expected<model::Unit> remove_node(const std::string& id, bool force) override;
  model::Expected<std::vector<DockerService>> list_services() override;
  model::Expected<DockerService> inspect_service(const std::string& id_or_name) override;
  model::Expected<model::Unit> update_service(const DockerService& service,
                                              const boost::json::object& spec) override;
  model::Expected<std::string> create_service(const boost::json::object& spec) override;
  model::Expected<model::Unit> remove_service(const std::string& id_or_name) override;
  model::Expected<std::vector<DockerTask>> list_tasks(const TaskFilter& filter) override;
  model::Expected<model::Unit> join_swarm(const JoinRequest& request) override;
  model::Expected<model::Unit> leave_swarm(bool force) override;
  model::Expected<model::Unit> events(std::int64_t since, std::int64_t until,
                                      const std::function<bool(const DockerEvent&)>& on_event,
                                      const std::atomic<bool>* cancel) override;
  std::string display() const override { return transport_->display(); }

  //! "v1.41" once negotiated.
  model::Expected<std::string> api_prefix();

 private:
  struct Call;
  model::Expected<HttpResponse> call(const Call& call);

  std::unique_ptr<HttpTransport> transport_;
  RetryPolicy retry_;
  std::mutex mutex_;
  std::optional<std::string> prefix_;
};

//! Maps an Engine API error response to an ErrorCode: "update out of sequence" (a 500) and
//! 409 are conflicts, 404 not found, 503 from a worker or a node outside a swarm invalid, other
//! 5xx transient, other 4xx invalid.
model::ErrorCode classify_docker_error(int status, std::string_view message);

}  // namespace swarmop::clients
