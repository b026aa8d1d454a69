#include <iomanip>

#include "command.hpp"
#include "swarmop/cli/version.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

namespace {

// Wraps text at `width` columns, each line indented by `indent` spaces.
void print_wrapped(std::ostream& out, std::string_view text, std::size_t indent,
                   std::size_t width = 78) {
  std::size_t column = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view word = text.substr(pos, end - pos);
    if (column == 0) {
      out << std::string(indent, ' ');
      column = indent;
    } else if (column + 1 + word.size() > width) {
      out << '\n' << std::string(indent, ' ');
      column = indent;
    } else {
      out << ' ';
      ++column;
    }
    out << word;
    column += word.size();
    pos = end + 1;
  }
  out << '\n';
}

}  // namespace

po::options_description options_of(const Command& command) {
  po::options_description options("Options", 100, 40);
  if (command.add_options) {
    command.add_options(options);
  }
  options.add_options()("help,h", "show this help");
  return options;
}

void print_overview(std::ostream& out) {
  out << "swarm-operator " << kVersion
      << ": keeps a Docker Swarm running Skylar Automation (PowerFlow) matching one\n"
         "declarative SwarmCluster file: swarm membership, node labels and placement, Couchbase\n"
         "replicas, the RabbitMQ ha-all policy, and gui placement. Safely, one step at a time.\n\n"
         "Usage: swarm-operator COMMAND [OPTIONS] [ARGS]\n\nCommands:\n";
  for (const Command& command : command_table()) {
    out << "  " << std::left << std::setw(12) << command.name << command.summary
        << (command.run ? "" : " [not built yet]") << '\n';
  }
  out << "\nGlobal options:\n"
         "  -h, --help     show this help, or a command's help after its name\n"
         "  --version      print the version\n\n"
         "Run `swarm-operator COMMAND --help` for a command's options and exit codes.\n"
         "The document format is described in crd/reference.md.\n";
}

void print_command_help(const Command& command, std::ostream& out) {
  out << "Usage: swarm-operator " << command.name << ' ' << command.usage << "\n\n";
  print_wrapped(out, command.summary, 0);
  out << '\n';
  print_wrapped(out, command.details, 0);
  if (!command.run) {
    out << '\n';
    print_wrapped(out,
                  "This command is part of the interface but is not built in this version yet; "
                  "running it exits with code 1.",
                  0);
  }
  out << '\n' << options_of(command) << "\nExit codes:\n";
  for (const auto& [code, meaning] : command.exit_codes) {
    out << "  " << code << "  " << meaning << '\n';
  }
}

}  // namespace swarmop::cli
