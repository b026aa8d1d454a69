#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "swarmop/model/desired_state.hpp"
#include "swarmop/model/diagnostic.hpp"

namespace swarmop::model {

//! The outcome of reading one desired-state file: the decoded document when it is valid, and
//! every finding (errors and warnings, in file order) either way.
struct LoadedDocument {
  std::string file;
  std::optional<DesiredState> state;  //!< present exactly when there is no error
  std::vector<Diagnostic> diagnostics;
  //! The document as written, converted to JSON with YAML 1.2 core typing and no defaults
  //! applied: what `validate --print-json` prints and an external JSON Schema validator checks.
  //! Present whenever the file parsed as YAML.
  std::optional<boost::json::value> json;

  bool ok() const { return state.has_value(); }
};

//! The largest desired-state file read: the desired state of even a very large cluster is a few
//! hundred KiB.
inline constexpr std::size_t kMaxDocumentBytes = std::size_t{1} << 20;

//! Reads, parses and validates a file in three passes: bytes and YAML syntax; the JSON Schema
//! in crd/ (types, enums, unknown fields with suggestions, patterns); then the rules a schema
//! cannot express (quorum, placement, references between sections). Each pass reports all it
//! finds; a pass runs only when the one before it found no error, so every message stands on
//! a document that is well-formed up to that point. A path that is not a regular file (links
//! followed), cannot be opened or holds more than kMaxDocumentBytes is one error saying which,
//! found without reading past the limit or blocking (read_bounded_file). Never throws for bad
//! input.
LoadedDocument load_document_file(const std::string& path);
LoadedDocument load_document_text(std::string_view text, const std::string& file_name);

//! The JSON Schema text compiled into the binary (crd/swarmcluster.schema.json).
std::string_view document_schema();

}  // namespace swarmop::model
