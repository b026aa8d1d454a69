#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "marked_node.hpp"

namespace swarmop::model::detail {

struct SchemaFinding {
  Mark mark;
  std::string path;     //!< spec.swarm.nodes[1].role
  std::string message;  //!< "\"boss\" is not one of: manager, worker"
};

//! Validates a MarkedNode against the JSON Schema (draft 2020-12) that ships in crd/. The same
//! schema file is what editors and `ajv` use, so the C++ validator and the published schema
//! cannot drift apart. Supports the keywords the schema uses; the constructor throws
//! std::invalid_argument on any other keyword, so an unsupported schema fails loudly in tests
//! instead of being half-checked.
class SchemaValidator {
 public:
  explicit SchemaValidator(boost::json::value schema);

  std::vector<SchemaFinding> validate(const MarkedNode& document) const;

  //! Inserts the schema's `default` values for absent properties of objects present in the
  //! document (following $ref, properties, additionalProperties and items), marking them as
  //! synthesized. Call only on a document that validated.
  void apply_defaults(MarkedNode& document) const;

  const boost::json::value& schema() const { return schema_; }

 private:
  const boost::json::object& resolve(const boost::json::object& schema) const;
  void check_keywords(const boost::json::value& schema) const;
  void validate(const boost::json::value& schema, const MarkedNode& node, const std::string& path,
                std::vector<SchemaFinding>& out) const;
  void validate_object(const boost::json::object& schema, const MarkedNode& node,
                       const std::string& path, std::vector<SchemaFinding>& out) const;
  void validate_scalar(const boost::json::object& schema, const MarkedNode& node,
                       const std::string& path, std::vector<SchemaFinding>& out) const;
  void validate_combinators(const boost::json::object& schema, const MarkedNode& node,
                            const std::string& path, std::vector<SchemaFinding>& out) const;
  void apply_defaults(const boost::json::value& schema, MarkedNode& node) const;

  boost::json::value schema_;
};

//! The schema compiled into the binary from crd/swarmcluster.schema.json.
const SchemaValidator& embedded_schema_validator();
std::string_view embedded_schema_text();

}  // namespace swarmop::model::detail
