#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "swarmop/model/plan.hpp"

//! The one rule every plan output follows before it prints anything: environment values may
//! hold passwords (the manual's services take credentials through env), so no format ever
//! shows one. A change to an env variable still shows that it is added, removed or changed.
namespace swarmop::report {

//! What a redacted value prints as, in every format.
inline constexpr std::string_view kRedacted = "(redacted)";

//! True for field paths whose values are never printed: "env.NAME".
bool is_redacted_path(std::string_view path);

//! The reports with every redacted value replaced by kRedacted ("" stays "": absent is not a
//! secret, and it is what tells an added variable from a changed one).
std::vector<model::PlanReport> redacted(std::vector<model::PlanReport> reports);

}  // namespace swarmop::report
