#include "swarmop/clients/credentials.hpp"

#include <cstdio>

#include "swarmop/model/bounded_file.hpp"

namespace swarmop::clients {

namespace {

//! A password file is one short line; anything bigger is not one.
constexpr std::size_t kMaxCredentialsBytes = 4096;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr std::string_view kBlanks = " \t\v\f";

model::Error credentials_error(const std::string& path, const std::string& problem) {
  model::Error error;
  error.code = model::ErrorCode::kInvalid;
  error.message = "credentials file " + path + ": " + problem;
  return error;
}

std::string octal_mode(unsigned permissions) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", permissions & 07777U);
  return text;
}

//! Docker secrets are 0444 unless the stack file says otherwise; on a host, a secret any user
//! can read (or change) is worth knowing about, but not worth refusing to start over.
void check_mode(const std::string& path, unsigned permissions, std::vector<std::string>& warnings) {
  const bool others_write = (permissions & 0002U) != 0;
  const bool others_read = (permissions & 0004U) != 0;
  if (!others_write && !others_read) {
    return;
  }
  const std::string who = others_write && others_read ? "read and change it"
                          : others_write              ? "change it"
                                                      : "read it";
  warnings.push_back("credentials file " + path + ": mode " + octal_mode(permissions) +
                     " lets every user " + who + "; make it 0600 (or 0400)");
}

//! Spaces around a password are sent as written; the server then answers 401 without saying
//! why. Warned about (by which part, never by its value) rather than trimmed: a password may
//! really end with a space.
void check_blanks(const std::string& path, std::string_view what, std::string_view value,
                  std::vector<std::string>& warnings) {
  if (value.empty()) {
    return;
  }
  const bool leading = kBlanks.find(value.front()) != std::string_view::npos;
  const bool trailing = kBlanks.find(value.back()) != std::string_view::npos;
  if (!leading && !trailing) {
    return;
  }
  const std::string where = leading && trailing ? "starts and ends" : leading ? "starts" : "ends";
  warnings.push_back("credentials file " + path + ": the " + std::string(what) + " " + where +
                     " with a space or tab, which is sent as part of it (a 401 from the server "
                     "may come from this)");
}

struct SecretLine {
  std::string text;
  std::vector<std::string> warnings;
};

model::Expected<SecretLine> read_secret_file(const std::string& path) {
  const model::FileRead read = model::read_bounded_file(path, kMaxCredentialsBytes);
  if (!read.ok()) {
    return credentials_error(path, read.failure);
  }
  SecretLine out;
  check_mode(path, read.permissions, out.warnings);
  std::string_view content = read.bytes;
  // Editors on Windows save a byte order mark; it would become part of the username.
  if (content.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
    content.remove_prefix(kUtf8Bom.size());
  }
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r')) {
    content.remove_suffix(1);
  }
  if (content.find('\0') != std::string_view::npos) {
    // C strings (curl's user:password among them) would cut the password at the NUL.
    return credentials_error(path, "holds a NUL byte; a credential cannot contain one");
  }
  if (content.find_first_of("\r\n") != std::string_view::npos) {
    return credentials_error(path, "must hold one line");
  }
  out.text = std::string(content);
  return out;
}

}  // namespace

model::Expected<LoadedCredentials> load_credentials_file(const std::string& path) {
  auto content = read_secret_file(path);
  if (!content) {
    return content.error();
  }
  const std::size_t colon = content->text.find(':');
  if (colon == std::string::npos || colon == 0) {
    return credentials_error(path, "expected one line \"username:password\"");
  }
  LoadedCredentials out{{content->text.substr(0, colon), content->text.substr(colon + 1)},
                        std::move(content->warnings)};
  check_blanks(path, "username", out.auth.username, out.warnings);
  check_blanks(path, "password", out.auth.password, out.warnings);
  return out;
}

model::Expected<LoadedCredentials> load_credentials(const model::Credentials& credentials) {
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
  LoadedCredentials out{{*credentials.username, std::move(password->text)},
                        std::move(password->warnings)};
  check_blanks(*credentials.password_file, "password", out.auth.password, out.warnings);
  return out;
}

}  // namespace swarmop::clients
