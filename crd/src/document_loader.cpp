#include "swarmop/model/document_loader.hpp"

#include <fstream>
#include <sstream>

#include "document_decoder.hpp"
#include "schema_validator.hpp"
#include "semantic_checks.hpp"
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
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadedDocument out;
    out.file = path;
    out.diagnostics.push_back({Severity::kError, path, {}, "cannot open file"});
    return out;
  }
  // Read one byte past the limit so an oversized file is reported without reading all of it.
  const std::size_t limit = detail::ReadLimits{}.max_bytes;
  std::string text(limit + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) {
    LoadedDocument out;
    out.file = path;
    out.diagnostics.push_back({Severity::kError, path, {}, "cannot read file"});
    return out;
  }
  return load_document_text(text, path);
}

std::string_view document_schema() {
  return detail::embedded_schema_text();
}

}  // namespace swarmop::model
