#include "swarmop/clients/credentials.hpp"

#include <fstream>
#include <sstream>

namespace swarmop::clients {

namespace {

model::Error credentials_error(const std::string& path, const std::string& problem) {
  model::Error error;
  error.code = model::ErrorCode::kInvalid;
  error.message = "credentials file " + path + ": " + problem;
  return error;
}

model::Expected<std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return credentials_error(path, "cannot be read");
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  if (content.size() > 4096) {
    return credentials_error(path, "is larger than 4096 bytes");
  }
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
    content.pop_back();
  }
  if (content.find('\n') != std::string::npos) {
    return credentials_error(path, "must hold one line");
  }
  return content;
}

}  // namespace

model::Expected<BasicAuth> load_credentials_file(const std::string& path) {
  auto content = read_secret_file(path);
  if (!content) {
    return content.error();
  }
  const std::size_t colon = content->find(':');
  if (colon == std::string::npos || colon == 0) {
    return credentials_error(path, "expected one line \"username:password\"");
  }
  return BasicAuth{content->substr(0, colon), content->substr(colon + 1)};
}

model::Expected<BasicAuth> load_credentials(const model::Credentials& credentials) {
  if (credentials.file) {
    return load_credentials_file(*credentials.file);
  }
  if (!credentials.username || !credentials.password_file) {
    model::Error error;
    error.code = model::ErrorCode::kInvalid;
    error.message = "credentials need a file, or a username and a passwordFile";
    return error;
  }
  auto password = read_secret_file(*credentials.password_file);
  if (!password) {
    return password.error();
  }
  return BasicAuth{*credentials.username, *password};
}

}  // namespace swarmop::clients
