#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "swarmop/sim/clock.hpp"

//! Where the simulated services' data lives. On a real engine a named volume with the `local`
//! driver (the default) and a bind mount are directories of the host the task ran on: a task
//! that Swarm starts on another host gets an empty directory there, and the old data stays on
//! the old host. A volume of another driver (NFS, a cloud volume plugin) is shared storage that
//! follows the task.
namespace swarmop::sim {

//! One host's copy of a service's local data, written by the service's tasks on that host.
struct DataCopy {
  std::string host;
  std::uint64_t id = 0;  //!< unique in the world: a new copy whenever a host has none yet
  UnixNanos created_at = 0;
  UnixNanos last_used_at = 0;  //!< when a task last started on it
  bool in_use = false;         //!< a running task of the service uses it now
};

//! Where one service's local data lives (by service name: `docker stack rm` then `deploy`
//! finds the same volumes again).
struct ServiceData {
  std::string service;
  std::vector<std::string> local_mounts;   //!< "bind /var/data/couchbase", "volume rabbitdb"
  std::vector<std::string> shared_mounts;  //!< "volume db (driver nfs)": follow the task
  std::string current_host;                //!< the host of the copy last started on
  std::uint64_t current_copy = 0;
  std::vector<DataCopy> copies;  //!< oldest first
};

//! Something a data move lost, or found empty.
struct LostItem {
  std::string kind;  //!< bucket, queue, mount
  std::string name;
  //! bucket: vBuckets whose only remaining copy was there; queue: messages; mount: 0.
  std::uint64_t count = 0;
};

//! A task started on a host without its service's data (or with an older copy of it), leaving
//! the data on another host.
struct DataLoss {
  UnixNanos time = 0;
  //! couchbase, rabbitmq (their simulators record these), or volume: any other service's
  //! local mounts, recorded by the world.
  std::string store;
  std::string service;     //!< the full service name: iservices_couchbase-worker
  std::string identity;    //!< ns_1@couchbase-worker.isnet, rabbit@rabbit_node2.isnet; empty
  std::string data_host;   //!< the host that held the data
  std::string started_on;  //!< the host the task started on
  //! false: the node came up empty but every piece of its data had a copy elsewhere.
  bool lost = false;
  std::vector<LostItem> items;
  std::string note;  //!< one sentence on what the store did about it
};

}  // namespace swarmop::sim
