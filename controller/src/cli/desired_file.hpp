#pragma once

#include <boost/program_options.hpp>
#include <optional>

#include "command.hpp"
#include "swarmop/model/desired_state.hpp"

namespace swarmop::cli {

//! Loads the FILE argument. Prints every diagnostic (errors with file:line:column) and returns
//! nullopt when the file is not valid: a bad file changes nothing.
std::optional<model::DesiredState> load_desired_file(
    const boost::program_options::variables_map& options, std::string_view command, Streams& io);

}  // namespace swarmop::cli
