// GET /events: replay (since/until) and a live stream of node and service events, one JSON
// object per line. Only a reachable manager's stream carries swarm events (reference §6).
#include <boost/json.hpp>
#include <set>

#include "engine_impl.hpp"
#include "render.hpp"
#include "request_parsing.hpp"

namespace swarmop::sim::engine {

namespace {

//! "1795612345" or "1795612345.123456789" (the forms the CLI sends) in nanoseconds.
std::optional<UnixNanos> unix_time(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  try {
    const auto dot = text.find('.');
    UnixNanos nanos = std::stoll(text.substr(0, dot)) * kSecond;
    if (dot != std::string::npos) {
      std::string fraction = text.substr(dot + 1, 9);
      fraction.resize(9, '0');
      nanos += std::stoll(fraction);
    }
    return nanos;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

struct StreamState {
  std::uint64_t next_sequence = 0;
  std::optional<UnixNanos> since;
  std::optional<UnixNanos> until;
  std::set<std::string> types;  //!< empty: all
  bool cluster_events = false;
};

}  // namespace

void install_event_route(EngineServer::Impl& engine) {
  route(engine, "GET", "/events",
        [&engine](const httplib::Request& request, httplib::Response& response) {
          auto state = std::make_shared<StreamState>();
          state->since = unix_time(request.get_param_value("since"));
          state->until = unix_time(request.get_param_value("until"));
          std::string error;
          const auto filters = request::filters(request.get_param_value("filters"), error);
          if (!filters) {
            return reply(response, ApiReply::error(400, error));
          }
          if (auto it = filters->find("type"); it != filters->end()) {
            state->types.insert(it->second.begin(), it->second.end());
          }
          state->cluster_events = engine.world.serves_cluster_events(engine.options.hostname);
          // With `since` the log is replayed from its start (the ring holds the recent past).
          state->next_sequence = state->since ? 0 : engine.world.events().end_sequence();
          response.set_chunked_content_provider(
              "application/json", [&engine, state](std::size_t, httplib::DataSink& sink) {
                if (engine.stopping || !engine.reachable || engine.world.is_shut_down()) {
                  return false;  // the stream dies with its daemon
                }
                auto batch = engine.world.events().read_from(state->next_sequence,
                                                             std::chrono::milliseconds(100));
                state->next_sequence = batch.next_sequence;
                for (const auto& event : batch.events) {
                  if (!state->cluster_events ||
                      (!state->types.empty() && !state->types.contains(event.type)) ||
                      (state->since && event.time < *state->since) ||
                      (state->until && event.time > *state->until)) {
                    continue;
                  }
                  const std::string line = boost::json::serialize(render::event(event)) + "\n";
                  if (!sink.write(line.data(), line.size())) {
                    return false;
                  }
                }
                if (state->until && engine.world.clock().now() >= *state->until) {
                  sink.done();
                  return true;
                }
                return sink.is_writable();
              });
        });
}

}  // namespace swarmop::sim::engine
