#include "swarmop/model/document_loader.hpp"

#include "document_decoder.hpp"
#include "schema_validator.hpp"
#include "semantic_checks.hpp"
#include "swarmop/model/bounded_file.hpp"
#include "yaml_reader.hpp"

namespace swarmop::model {

namespace {

std::string schema_message(const detail::SchemaFinding& finding) {
  return finding.path.empty() ? finding.message : finding.path + ": " + finding.message;
}

}  // namespace

LoadedDocument load_document_text(std::string_view text, const std::string& file_name) {
  LoadedDocument out;
  out.file = file_name;
  auto root = detail::read_yaml(text, file_name, out.diagnostics);
  if (!root) {
    return out;
  }
  out.json = root->to_json();

  const auto& validator = detail::embedded_schema_validator();
  for (const auto& finding : validator.validate(*root)) {
    out.diagnostics.push_back({Severity::kError, file_name, finding.mark, schema_message(finding)});
  }
  if (has_errors(out.diagnostics)) {
    sort_diagnostics(out.diagnostics);
    return out;
  }

  validator.apply_defaults(*root);
  DesiredState state = detail::decode_document(*root);
  auto semantic = detail::check_semantics(state, *root, file_name);
  out.diagnostics.insert(out.diagnostics.end(), semantic.begin(), semantic.end());
  sort_diagnostics(out.diagnostics);
  if (!has_errors(out.diagnostics)) {
    out.state = std::move(state);
  }
  return out;
}

LoadedDocument load_document_file(const std::string& path) {
  const FileRead read = read_bounded_file(path, kMaxDocumentBytes);
  if (!read.ok()) {
    LoadedDocument out;
    out.file = path;
    out.diagnostics.push_back({Severity::kError, path, {}, read.failure});
    return out;
  }
  return load_document_text(read.bytes, path);
}

std::string_view document_schema() {
  return detail::embedded_schema_text();
}

}  // namespace swarmop::model
