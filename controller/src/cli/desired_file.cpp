#include "cli/desired_file.hpp"

#include "swarmop/model/document_loader.hpp"

namespace swarmop::cli {

std::optional<model::DesiredState> load_desired_file(
    const boost::program_options::variables_map& options, std::string_view command, Streams& io) {
  if (options.count("FILE") == 0) {
    io.err << "swarm-operator " << command << ": no FILE given (see --help)\n";
    return std::nullopt;
  }
  const auto files = options["FILE"].as<std::vector<std::string>>();
  const model::LoadedDocument document = model::load_document_file(files.front());
  for (const model::Diagnostic& diagnostic : document.diagnostics) {
    io.err << model::format_diagnostic(diagnostic) << '\n';
  }
  if (!document.ok()) {
    io.err << "swarm-operator " << command << ": " << files.front()
           << " is not valid; nothing was changed\n";
    return std::nullopt;
  }
  return document.state;
}

}  // namespace swarmop::cli
