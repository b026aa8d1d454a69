#include "swarmop/model/plan.hpp"

namespace swarmop::model {

std::string_view to_string(FindingLevel severity) {
  return severity == FindingLevel::kWarning ? "warning" : "info";
}

}  // namespace swarmop::model
