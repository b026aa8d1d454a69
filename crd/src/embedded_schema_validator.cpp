#include <boost/json.hpp>

#include "schema_validator.hpp"

namespace swarmop::model::detail {

extern const std::string_view kEmbeddedSchemaText;

std::string_view embedded_schema_text() {
  return kEmbeddedSchemaText;
}

const SchemaValidator& embedded_schema_validator() {
  // Parsed once; a schema that does not parse or uses an unsupported keyword is a build
  // defect, caught by the first test that loads a document.
  static const SchemaValidator validator(boost::json::parse(kEmbeddedSchemaText));
  return validator;
}

}  // namespace swarmop::model::detail
