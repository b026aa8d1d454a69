// `swarm-operator render compose-override|haproxy FILE`: configuration generated from a
// desired-state file, with no cluster at all.
#include "cli/desired_file.hpp"
#include "command.hpp"
#include "render/compose_override.hpp"
#include "render/haproxy_config.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

int run_render(const po::variables_map& options, Streams& io) {
  const std::string what = options["WHAT"].as<std::vector<std::string>>().front();
  if (what != "compose-override" && what != "haproxy") {
    io.err << "swarm-operator render: unknown WHAT \"" << what
           << "\": expected compose-override or haproxy\n";
    return 1;
  }
  const auto desired = load_desired_file(options, "render", io);
  if (!desired) {
    return 1;
  }
  const std::string file = options["FILE"].as<std::vector<std::string>>().front();
  io.out << (what == "compose-override" ? render::render_compose_override(*desired, file)
                                        : render::render_haproxy(*desired, file));
  return 0;
}

}  // namespace swarmop::cli
