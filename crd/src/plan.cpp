#include "swarmop/model/plan.hpp"

namespace swarmop::model {

std::string_view to_string(Severity severity) {
  return severity == Severity::kWarning ? "warning" : "info";
}

}  // namespace swarmop::model
