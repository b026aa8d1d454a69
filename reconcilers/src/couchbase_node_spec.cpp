#include "swarmop/reconcilers/couchbase_node_spec.hpp"

#include <boost/json.hpp>

#include "swarmop/clients/docker_spec_edit.hpp"
#include "swarmop/reconcilers/couchbase_planner.hpp"
#include "swarmop/reconcilers/pinned_service.hpp"

namespace swarmop::reconcilers {

namespace json = boost::json;
namespace edit = clients::spec_edit;

namespace {

// Where the is-couchbase image keeps its data.
constexpr const char* kDataTarget = "/opt/couchbase/var";

bool has_volume_mount(const json::object& spec) {
  const auto* mounts = spec.if_contains("TaskTemplate");
  if (mounts == nullptr || !mounts->is_object()) {
    return false;
  }
  const auto* container = mounts->as_object().if_contains("ContainerSpec");
  if (container == nullptr || !container->is_object()) {
    return false;
  }
  const auto* list = container->as_object().if_contains("Mounts");
  if (list == nullptr || !list->is_array()) {
    return false;
  }
  for (const auto& mount : list->as_array()) {
    if (mount.is_object()) {
      const auto* type = mount.as_object().if_contains("Type");
      const auto* target = mount.as_object().if_contains("Target");
      if (type && type->is_string() && type->get_string() == "volume" && target &&
          target->is_string() && target->get_string() == kDataTarget) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

json::object couchbase_worker_spec(const json::object& primary, const std::string& full_name,
                                   const model::PinnedService& worker, std::size_t number,
                                   const std::string& primary_service, bool auto_rebalance) {
  auto spec = node_service_from_primary(primary, full_name, worker.service,
                                        couchbase_hostname(worker.service));
  spec = edit::with_env(std::move(spec), {{"TYPE", "WORKER"},
                                          {"AUTO_REBALANCE", auto_rebalance ? "true" : "false"},
                                          {"db_host", primary_service}});
  if (has_volume_mount(spec)) {
    spec = with_mount_source_suffix(std::move(spec), kDataTarget, std::to_string(number));
  }
  spec = with_admin_port(std::move(spec), worker.admin_port);
  return edit::with_constraints(std::move(spec), {hostname_constraint(worker.node)});
}

json::object with_admin_port(json::object spec, std::optional<int> admin_port) {
  json::value& endpoint = spec["EndpointSpec"];
  if (!endpoint.is_object()) {
    endpoint = json::object{{"Mode", "vip"}};
  }
  auto& object = endpoint.get_object();
  if (admin_port) {
    object["Ports"] = json::array{json::object{{"Protocol", "tcp"},
                                               {"TargetPort", 8091},
                                               {"PublishedPort", *admin_port},
                                               {"PublishMode", "ingress"}}};
  } else {
    object.erase("Ports");
  }
  return spec;
}

std::string image_repository(const std::string& image) {
  std::string out = image.substr(0, image.find('@'));
  const auto colon = out.rfind(':');
  const auto slash = out.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    out.resize(colon);
  }
  return out;
}

}  // namespace swarmop::reconcilers
