#pragma once

#include <ostream>

namespace swarmop::cli {

//! Runs one `swarm-operator` invocation. Output goes to the given streams so tests can run
//! commands in-process; the return value is the process exit code.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace swarmop::cli
