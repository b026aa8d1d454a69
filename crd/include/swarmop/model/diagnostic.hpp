#pragma once

#include <string>
#include <vector>

namespace swarmop::model {

//! A position in a source file, 1-based. Line 0 means "no position known" (for example a
//! value the operator filled in from a schema default).
struct Mark {
  int line = 0;
  int column = 0;
  bool known() const { return line > 0; }
};

enum class Severity { kError, kWarning };

//! One finding about a desired-state file. Rendered like a compiler message so editors and CI
//! annotate the right line: `FILE:LINE:COLUMN: error: message`.
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;
  Mark mark;
  std::string message;
};

std::string format_diagnostic(const Diagnostic& diagnostic);

bool has_errors(const std::vector<Diagnostic>& diagnostics);

//! Orders diagnostics by file, line and column so output is stable and reads top to bottom.
void sort_diagnostics(std::vector<Diagnostic>& diagnostics);

}  // namespace swarmop::model
