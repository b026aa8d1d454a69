#include "cb_routes.hpp"

#include <boost/json.hpp>
#include <functional>
#include <regex>

#include "cb_render.hpp"

namespace swarmop::sim::couchbase {

namespace json = boost::json;

namespace {

constexpr const char* kNotFound = "Requested resource not found.\r\n";

enum class Access { kRead, kWrite };

struct Route {
  std::string method;
  std::regex path;
  Access access;
  std::string permission;  //!< what a 403 names
  //! The handler; `match` holds the path groups.
  std::function<Reply(ClusterModel&, NodeState&, const Request&, const std::smatch&, UnixNanos)>
      handle;
};

Reply json_reply(const json::value& body) {
  return Reply::json(200, body);
}

const std::vector<Route>& routes() {
  using M = ClusterModel;
  using N = NodeState;
  using R = Request;
  using S = std::smatch;
  static const std::vector<Route> kRoutes = {
      {"GET", std::regex("/pools"), Access::kRead, "cluster.pools!read",
       [](M& m, N& via, const R&, const S&, UnixNanos) {
         return json_reply(render::pools(m, via));
       }},
      {"GET", std::regex("/pools/(default|nodes)"), Access::kRead, "cluster.pools!read",
       [](M& m, N& via, const R&, const S&, UnixNanos now) {
         return json_reply(render::pools_default(m, via, now));
       }},
      {"GET", std::regex("/pools/default/terseClusterInfo"), Access::kRead, "cluster.pools!read",
       [](M& m, N&, const R&, const S&, UnixNanos) {
         return json_reply(render::terse_cluster_info(m));
       }},
      {"GET", std::regex("/pools/default/buckets"), Access::kRead,
       "cluster.bucket[.].settings!read",
       [](M& m, N& via, const R& r, const S&, UnixNanos now) {
         return json_reply(render::buckets(m, via, now, value(r.params, "skipMap") == "true"));
       }},
      {"GET", std::regex("/pools/default/buckets/([^/]+)"), Access::kRead,
       "cluster.bucket[.].settings!read",
       [](M& m, N& via, const R& r, const S& match, UnixNanos now) {
         const auto* b = m.bucket(match[1]);
         return b == nullptr ? Reply::text(404, kNotFound)
                             : json_reply(render::bucket(m, *b, via, now,
                                                         value(r.params, "skipMap") == "true"));
       }},
      {"POST", std::regex("/pools/default/buckets/([^/]+)"), Access::kWrite,
       "cluster.bucket[.].settings!write",
       [](M& m, N&, const R& r, const S& match, UnixNanos now) {
         return m.update_bucket(match[1], r.params, now);
       }},
      {"GET", std::regex("/pools/default/tasks"), Access::kRead, "cluster.tasks!read",
       [](M& m, N&, const R&, const S&, UnixNanos now) {
         return json_reply(render::tasks(m, now));
       }},
      {"GET", std::regex("/pools/default/rebalanceProgress"), Access::kRead, "cluster.tasks!read",
       [](M& m, N&, const R&, const S&, UnixNanos now) {
         return json_reply(render::rebalance_progress(m, now));
       }},
      {"GET", std::regex("/nodes/self"), Access::kRead, "cluster.nodes!read",
       [](M& m, N& via, const R&, const S&, UnixNanos now) {
         return json_reply(render::node(m, via, via, now));
       }},
      {"GET", std::regex("/indexStatus"), Access::kRead, "cluster.n1ql.index!read",
       [](M& m, N&, const R&, const S&, UnixNanos now) {
         return json_reply(render::index_status(m, now));
       }},
      {"GET", std::regex("/logs"), Access::kRead, "cluster.logs!read",
       [](M& m, N&, const R&, const S&, UnixNanos) { return json_reply(render::logs(m)); }},
      {"GET", std::regex("/settings/autoFailover"), Access::kRead, "cluster.settings!read",
       [](M& m, N&, const R&, const S&, UnixNanos) {
         return json_reply(render::auto_failover(m));
       }},
      {"POST", std::regex("/settings/autoFailover"), Access::kWrite, "cluster.settings!write",
       [](M& m, N&, const R& r, const S&, UnixNanos now) {
         return m.set_auto_failover(r.params, now);
       }},
      {"POST", std::regex("/settings/autoFailover/resetCount"), Access::kWrite,
       "cluster.settings!write",
       [](M& m, N&, const R&, const S&, UnixNanos) { return m.reset_auto_failover_count(); }},
      {"POST", std::regex("/controller/addNode"), Access::kWrite, "cluster.pools!write",
       [](M& m, N& via, const R& r, const S&, UnixNanos now) {
         return m.add_node(via, r.params, now);
       }},
      {"POST", std::regex("/controller/ejectNode"), Access::kWrite, "cluster.pools!write",
       [](M& m, N& via, const R& r, const S&, UnixNanos now) {
         return m.eject_node(via, r.params, now);
       }},
      {"POST", std::regex("/controller/rebalance"), Access::kWrite, "cluster.pools!write",
       [](M& m, N&, const R& r, const S&, UnixNanos now) { return m.rebalance(r.params, now); }},
      {"POST", std::regex("/controller/stopRebalance"), Access::kWrite, "cluster.pools!write",
       [](M& m, N&, const R& r, const S&, UnixNanos now) {
         const auto unsafe = value(r.params, "allowUnsafe");
         if (unsafe && *unsafe != "true" && *unsafe != "false") {
           return Reply::json(
               400, json::object{{"errors", json::object{{"allowUnsafe",
                                                          "The value must be one of the following: "
                                                          "[true,false]"}}}});
         }
         return m.stop_rebalance(now);
       }},
      {"POST", std::regex("/controller/(failOver|startFailover)"), Access::kWrite,
       "cluster.pools!write",
       [](M& m, N&, const R& r, const S&, UnixNanos now) {
         return m.hard_failover(r.params, now);
       }},
      {"POST", std::regex("/controller/startGracefulFailover"), Access::kWrite,
       "cluster.pools!write",
       [](M& m, N&, const R& r, const S&, UnixNanos now) {
         return m.graceful_failover(r.params, now);
       }},
      {"POST", std::regex("/controller/setRecoveryType"), Access::kWrite, "cluster.pools!write",
       [](M& m, N&, const R& r, const S&, UnixNanos now) {
         return m.set_recovery_type(r.params, false, now);
       }},
      {"POST", std::regex("/controller/reAddNode"), Access::kWrite, "cluster.pools!write",
       [](M& m, N&, const R& r, const S&, UnixNanos now) {
         return m.set_recovery_type(r.params, true, now);
       }},
      {"POST", std::regex("/controller/reFailOver"), Access::kWrite, "cluster.pools!write",
       [](M& m, N&, const R& r, const S&, UnixNanos now) { return m.re_failover(r.params, now); }},
  };
  return kRoutes;
}

//! What a node outside any cluster answers: its own empty view of the world.
std::optional<Reply> unprovisioned_answer(const Request& request) {
  const std::string& path = request.path;
  if (path == "/pools" || path == "/nodes/self" || path == "/controller/addNode") {
    return std::nullopt;  // answered from the node's own state
  }
  if (path.starts_with("/pools/default") || path == "/pools/nodes") {
    if (request.method == "POST" && path.starts_with("/pools/default/buckets/")) {
      return Reply::text(404, kNotFound);
    }
    return Reply::json(404, json::value("unknown pool"));
  }
  if (path == "/controller/rebalance") {
    return Reply::json(400, json::object{{"mismatch", 1}});
  }
  if (path == "/controller/failOver" || path == "/controller/startFailover" ||
      path == "/controller/startGracefulFailover") {
    return Reply::text(400, "Unknown server given.");
  }
  if (path == "/controller/ejectNode") {
    return Reply::text(400, "Server does not exist.\n");
  }
  if (path == "/controller/setRecoveryType" || path == "/controller/reAddNode") {
    return Reply::json(400, json::object{{"otpNode",
                                          "invalid node name or node can't be used for delta "
                                          "recovery"}});
  }
  if (path == "/controller/reFailOver") {
    return Reply::empty(400);
  }
  if (request.method == "POST" &&
      (path == "/controller/stopRebalance" || path.starts_with("/settings/autoFailover"))) {
    return Reply::empty();  // nothing runs and nothing is shared on a lone node
  }
  if (path == "/indexStatus") {
    return Reply::json(
        200, json::object{{"indexes", json::array{}}, {"version", 0}, {"warnings", json::array{}}});
  }
  if (path == "/logs") {
    return Reply::json(200, json::object{{"list", json::array{}}});
  }
  return std::nullopt;
}

}  // namespace

std::string decode_basic_auth(const std::string& header) {
  static const std::string kPrefix = "Basic ";
  if (!header.starts_with(kPrefix)) {
    return "";
  }
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : header.substr(kPrefix.size())) {
    if (c == '=') {
      break;
    }
    const auto at = kAlphabet.find(c);
    if (at == std::string::npos) {
      return "";
    }
    buffer = (buffer << 6) | static_cast<unsigned>(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

bool needs_www_authenticate(const Request& request, const Reply& reply) {
  return reply.status == 401 && !request.quiet_auth;
}

Reply answer(ClusterModel& model, NodeState& via, const Request& request, UnixNanos now) {
  if (request.method != "GET" && request.method != "POST") {
    return Reply::text(405, "Method Not Allowed");
  }
  const Route* route = nullptr;
  std::smatch match;
  for (const auto& candidate : routes()) {
    if (candidate.method == request.method &&
        std::regex_match(request.path, match, candidate.path)) {
      route = &candidate;
      break;
    }
  }
  if (route == nullptr) {
    return Reply::text(404, kNotFound);
  }
  if (via.provisioned) {
    const auto& options = model.options();
    const std::string credentials = decode_basic_auth(request.authorization);
    const bool admin = credentials == options.username + ":" + options.password;
    const bool read_only =
        !options.read_only_username.empty() &&
        credentials == options.read_only_username + ":" + options.read_only_password;
    if (!admin && !read_only) {
      return Reply::empty(401);
    }
    if (!admin && route->access == Access::kWrite) {
      std::string permission = route->permission;
      if (const auto dot = permission.find("[.]"); dot != std::string::npos) {
        permission.replace(dot, 3, "[" + std::string(match[1]) + "]");
      }
      return Reply::json(
          403, json::object{{"message", "Forbidden. User needs the following permissions"},
                            {"permissions", json::array{json::value(permission)}}});
    }
    if (const auto uuid = value(request.params, "uuid"); uuid && *uuid != model.uuid()) {
      return Reply::text(404, "Cluster uuid does not match the requested.\r\n");
    }
  } else if (auto reply = unprovisioned_answer(request)) {
    return *reply;
  }
  return route->handle(model, via, request, match, now);
}

}  // namespace swarmop::sim::couchbase
