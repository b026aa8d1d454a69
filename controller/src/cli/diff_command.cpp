// `swarm-operator diff OLD NEW`: what changes between two desired-state files and which
// reconcilers it wakes, with no cluster at all.
#include "command.hpp"
#include "report/desired_diff.hpp"
#include "swarmop/model/document_loader.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

namespace {

//! Both files must be valid: a diff against a file apply would refuse explains nothing.
std::optional<boost::json::value> load(const std::string& path, Streams& io) {
  const model::LoadedDocument document = model::load_document_file(path);
  for (const model::Diagnostic& diagnostic : document.diagnostics) {
    io.err << model::format_diagnostic(diagnostic) << '\n';
  }
  if (!document.ok() || !document.json) {
    io.err << "swarm-operator diff: " << path << " is not valid\n";
    return std::nullopt;
  }
  return document.json;
}

}  // namespace

int run_diff(const po::variables_map& options, Streams& io) {
  const auto before = load(options["OLD"].as<std::vector<std::string>>().front(), io);
  const auto after = load(options["NEW"].as<std::vector<std::string>>().front(), io);
  if (!before || !after) {
    return 1;
  }
  const auto changes = report::diff_desired(*before, *after);
  report::print_desired_diff(changes, io.out);
  return changes.empty() ? 0 : 2;
}

}  // namespace swarmop::cli
