#include <boost/json.hpp>

#include "command.hpp"
#include "swarmop/model/document_loader.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

int run_validate(const po::variables_map& options, Streams& io) {
  if (options.count("FILE") == 0) {
    io.err << "swarm-operator validate: no FILE given (see --help)\n";
    return 1;
  }
  const bool strict = options["strict"].as<bool>();
  const bool print_json = options["print-json"].as<bool>();
  // With --print-json standard output carries only JSON lines; the verdicts go with the
  // diagnostics to standard error.
  std::ostream& verdicts = print_json ? io.err : io.out;

  bool all_valid = true;
  for (const std::string& file : options["FILE"].as<std::vector<std::string>>()) {
    const model::LoadedDocument document = model::load_document_file(file);
    std::size_t errors = 0;
    std::size_t warnings = 0;
    for (const model::Diagnostic& diagnostic : document.diagnostics) {
      model::Diagnostic shown = diagnostic;
      if (strict && shown.severity == model::Severity::kWarning) {
        shown.severity = model::Severity::kError;
      }
      (shown.severity == model::Severity::kError ? errors : warnings) += 1;
      io.err << model::format_diagnostic(shown) << '\n';
    }
    if (print_json && document.json) {
      io.out << boost::json::serialize(*document.json) << '\n';
    }
    if (errors > 0) {
      all_valid = false;
      verdicts << file << ": invalid (" << errors << " error" << (errors == 1 ? "" : "s");
      if (warnings > 0) {
        verdicts << ", " << warnings << " warning" << (warnings == 1 ? "" : "s");
      }
      verdicts << ")\n";
    } else if (warnings > 0) {
      verdicts << file << ": valid, " << warnings << " warning" << (warnings == 1 ? "" : "s")
               << '\n';
    } else {
      verdicts << file << ": valid\n";
    }
  }
  return all_valid ? 0 : 1;
}

}  // namespace swarmop::cli
