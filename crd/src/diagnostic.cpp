#include "swarmop/model/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace swarmop::model {

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.file;
  if (d.mark.known()) {
    out += ":" + std::to_string(d.mark.line) + ":" + std::to_string(d.mark.column);
  }
  out += d.severity == Severity::kError ? ": error: " : ": warning: ";
  out += d.message;
  return out;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

void sort_diagnostics(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.file, a.mark.line, a.mark.column) <
                            std::tie(b.file, b.mark.line, b.mark.column);
                   });
}

}  // namespace swarmop::model
