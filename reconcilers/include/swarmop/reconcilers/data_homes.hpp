#pragma once

#include <map>
#include <string>
#include <vector>

#include "swarmop/model/desired_state.hpp"
#include "swarmop/reconcilers/swarm_observation.hpp"

//! Where stateful services keep their data. Docker's manager API does not say which node holds
//! a `local` volume's or a bind mount's data, and a task's current node stops being the answer
//! the moment Swarm moves it: a real engine then starts the task over an empty directory. Like a
//! Kubernetes local PersistentVolume's node affinity, the operator records the node (a service
//! label it owns) the first time the evidence is unambiguous, and from then on the record is
//! the answer.
namespace swarmop::reconcilers {

//! The service label holding the hostname(s), comma-separated, of the node(s) with the data.
inline constexpr const char* kDataNodeLabel = "swarm-operator.data-node";

//! A mount whose data stays on the node the task ran on: a bind mount, or a volume of the
//! `local` driver (the default). Volumes of any other driver are shared storage.
struct LocalMount {
  std::string type;    //!< bind, volume
  std::string source;  //!< host path or volume name
  std::string target;
};

struct DataHome {
  std::string service;  //!< full name: iservices_couchbase
  std::string service_id;
  std::vector<LocalMount> mounts;
  bool data_store = false;  //!< a Couchbase or RabbitMQ node service of the file
  //! Hostnames holding the data: the record, or the one node the tasks ever ran on. Empty when
  //! no task has run yet (no data anywhere) or when the evidence disagrees.
  std::vector<std::string> nodes;
  bool recorded = false;  //!< `nodes` comes from the operator's label
  //! `nodes` comes from the file's `dataNode` (no record yet): the person's word settles
  //! evidence that disagrees.
  bool from_file = false;
  //! Without a record, every node its tasks (running and past) ran on, when more than one: the
  //! data may be on any of them, so nothing that moves the service is allowed.
  std::vector<std::string> ambiguous;
  //! Nodes its running tasks run on now.
  std::vector<std::string> running_on;
  //! Running tasks on nodes that do not hold the data (a move that already happened).
  std::vector<std::string> running_away;

  bool holds(std::string_view hostname) const;
  //! "bind /var/data/couchbase" or "volume rabbitdb" (the mounts, for messages).
  std::string mounts_text() const;
};

//! The local mounts of a service spec (TaskTemplate.ContainerSpec.Mounts).
std::vector<LocalMount> local_mounts(const boost::json::object& service_spec);

//! Every stateful service of the observation by full name: services with a local mount, and the
//! file's Couchbase and RabbitMQ node services; not those the file marks `storage: shared`.
//! Pure.
std::map<std::string, DataHome> find_data_homes(const model::DesiredState& desired,
                                                const SwarmObservation& observed);

}  // namespace swarmop::reconcilers
