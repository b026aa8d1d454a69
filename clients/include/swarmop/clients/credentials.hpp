#pragma once

#include <optional>
#include <string>
#include <vector>

#include "swarmop/clients/curl_transport.hpp"
#include "swarmop/model/desired_state.hpp"
#include "swarmop/model/expected.hpp"

namespace swarmop::clients {

//! Credentials as read, with what looks wrong about their files but does not stop them from
//! working (a file other users can read or change, a password that starts or ends with a
//! space): one line each, naming the file and never its content, for the caller to log.
struct LoadedCredentials {
  BasicAuth auth;
  std::vector<std::string> warnings;
};

//! Reads credentials from the files the desired state names (Docker secrets): either a file
//! holding "username:password", or a username and a file holding the password. A leading UTF-8
//! byte order mark and trailing line ends are dropped. A file that is not a regular file, is
//! over 4 KiB, holds more than one line or a NUL byte is an error naming the file and what is
//! wrong with it, never its content.
model::Expected<LoadedCredentials> load_credentials(const model::Credentials& credentials);

//! Reads a "username:password" file (the --*-credentials flags and SWARM_OPERATOR_*_CREDENTIALS).
model::Expected<LoadedCredentials> load_credentials_file(const std::string& path);

}  // namespace swarmop::clients
