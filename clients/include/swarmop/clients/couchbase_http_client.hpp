#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "swarmop/clients/couchbase_client.hpp"
#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/clients/http_transport.hpp"

namespace swarmop::clients {

//! Form fields in the order they are sent; a key may repeat.
using FormFields = std::vector<std::pair<std::string, std::string>>;

//! application/x-www-form-urlencoded: "key=value&key=value", keys and values percent-escaped
//! (so "ns_1@a,ns_1@b" is sent as "ns_1%40a%2Cns_1%40b", which the server decodes back).
std::string couchbase_form(const FormFields& fields);

//! CouchbaseClient over several admin endpoints (port 8091), in the order of the manual's
//! db_host list: the primary first, then the workers. A request goes to the first endpoint that
//! answers. Reads move on after any transport failure; writes move on only when the request
//! provably never left (not_sent), so a topology change is never applied twice.
//! `credentials` are the cluster's administrator: the transports authenticate with them, and
//! addNode passes them as the joining node's user and password. They never appear in an error.
class CouchbaseHttpClient final : public CouchbaseClient {
 public:
  CouchbaseHttpClient(std::vector<std::unique_ptr<HttpTransport>> endpoints, BasicAuth credentials);

  //! One CurlTransport with basic authentication per endpoint.
  static std::unique_ptr<CouchbaseHttpClient> over_curl(const std::vector<Endpoint>& endpoints,
                                                        const BasicAuth& credentials);

  model::Expected<CouchbaseCluster> cluster() override;
  model::Expected<std::vector<CouchbaseBucket>> buckets() override;
  model::Expected<model::Unit> set_bucket_replicas(const std::string& bucket,
                                                   int replicas) override;
  model::Expected<std::string> add_node(const std::string& hostname,
                                        const std::vector<std::string>& services) override;
  model::Expected<model::Unit> rebalance(
      const std::vector<std::string>& known_otp_nodes,
      const std::vector<std::string>& ejected_otp_nodes) override;
  model::Expected<RebalanceProgress> rebalance_progress() override;
  model::Expected<std::vector<CouchbaseTask>> tasks() override;
  model::Expected<model::Unit> stop_rebalance() override;
  model::Expected<model::Unit> failover(const std::string& otp_node, bool graceful) override;
  model::Expected<model::Unit> set_recovery_type(const std::string& otp_node,
                                                 RecoveryType type) override;
  model::Expected<model::Unit> readd_node(const std::string& otp_node) override;
  model::Expected<model::Unit> eject_node(const std::string& otp_node) override;
  model::Expected<AutoFailoverSettings> auto_failover() override;
  model::Expected<model::Unit> set_auto_failover(bool enabled, int timeout_seconds,
                                                 std::optional<int> max_count) override;
  model::Expected<model::Unit> reset_auto_failover_count() override;
  model::Expected<IndexStatus> index_status() override;
  std::string display() const override;

 private:
  model::Expected<HttpResponse> request(const std::string& what, const HttpRequest& request,
                                        const std::vector<int>& ok_statuses);
  model::Expected<model::Unit> post(const std::string& what, const std::string& path,
                                    const FormFields& fields);
  std::string redact(std::string text) const;

  std::vector<std::unique_ptr<HttpTransport>> endpoints_;
  BasicAuth credentials_;
};

}  // namespace swarmop::clients
