#pragma once

#include "swarmop/clients/call_counter.hpp"
#include "swarmop/clients/couchbase_client.hpp"

namespace swarmop::clients {

//! Counts the calls made through another CouchbaseClient (reads and writes), for apply's
//! summary and the benchmarks' API-call counts.
class CountingCouchbaseClient final : public CouchbaseClient, public CallCounter {
 public:
  explicit CountingCouchbaseClient(CouchbaseClient& inner) : inner_(inner) {}

  model::Expected<CouchbaseCluster> cluster() override { return read(inner_.cluster()); }
  model::Expected<std::vector<CouchbaseBucket>> buckets() override {
    return read(inner_.buckets());
  }
  model::Expected<model::Unit> set_bucket_replicas(const std::string& bucket,
                                                   int replicas) override {
    return write(inner_.set_bucket_replicas(bucket, replicas));
  }
  model::Expected<std::string> add_node(const std::string& hostname,
                                        const std::vector<std::string>& services) override {
    return write(inner_.add_node(hostname, services));
  }
  model::Expected<model::Unit> rebalance(const std::vector<std::string>& known,
                                         const std::vector<std::string>& ejected) override {
    return write(inner_.rebalance(known, ejected));
  }
  model::Expected<RebalanceProgress> rebalance_progress() override {
    return read(inner_.rebalance_progress());
  }
  model::Expected<std::vector<CouchbaseTask>> tasks() override { return read(inner_.tasks()); }
  model::Expected<model::Unit> stop_rebalance() override { return write(inner_.stop_rebalance()); }
  model::Expected<model::Unit> failover(const std::string& otp_node, bool graceful) override {
    return write(inner_.failover(otp_node, graceful));
  }
  model::Expected<model::Unit> set_recovery_type(const std::string& otp_node,
                                                 RecoveryType type) override {
    return write(inner_.set_recovery_type(otp_node, type));
  }
  model::Expected<model::Unit> readd_node(const std::string& otp_node) override {
    return write(inner_.readd_node(otp_node));
  }
  model::Expected<model::Unit> eject_node(const std::string& otp_node) override {
    return write(inner_.eject_node(otp_node));
  }
  model::Expected<AutoFailoverSettings> auto_failover() override {
    return read(inner_.auto_failover());
  }
  model::Expected<model::Unit> set_auto_failover(bool enabled, int timeout_seconds,
                                                 std::optional<int> max_count) override {
    return write(inner_.set_auto_failover(enabled, timeout_seconds, max_count));
  }
  model::Expected<model::Unit> reset_auto_failover_count() override {
    return write(inner_.reset_auto_failover_count());
  }
  model::Expected<IndexStatus> index_status() override { return read(inner_.index_status()); }
  std::string display() const override { return inner_.display(); }

 private:
  CouchbaseClient& inner_;
};

}  // namespace swarmop::clients
