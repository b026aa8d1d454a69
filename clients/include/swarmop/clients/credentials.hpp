#pragma once

#include <optional>
#include <string>

#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/model/desired_state.hpp"
#include "swarmop/model/expected.hpp"

namespace swarmop::clients {

//! Reads credentials from the files the desired state names (Docker secrets): either a file
//! holding "username:password", or a username and a file holding the password. Trailing
//! newlines are ignored. Errors name the file and what is wrong with it, never its content.
model::Expected<BasicAuth> load_credentials(const model::Credentials& credentials);

//! Reads a "username:password" file (the --*-credentials flags and SWARM_OPERATOR_*_CREDENTIALS).
model::Expected<BasicAuth> load_credentials_file(const std::string& path);

}  // namespace swarmop::clients
