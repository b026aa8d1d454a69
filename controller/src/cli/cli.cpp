#include "swarmop/cli/cli.hpp"

#include <string>
#include <vector>

#include "command.hpp"
#include "swarmop/cli/version.hpp"

namespace swarmop::cli {

namespace po = boost::program_options;

namespace {

const Command* find_command(std::string_view name) {
  for (const Command& command : command_table()) {
    if (command.name == name) {
      return &command;
    }
  }
  return nullptr;
}

int run_command(const Command& command, const std::vector<std::string>& args, Streams& io) {
  const po::options_description options = options_of(command);
  po::options_description hidden;
  po::positional_options_description positional;
  for (const auto& [name, count] : command.positionals) {
    hidden.add_options()(name, po::value<std::vector<std::string>>());
    positional.add(name, count);
  }
  po::options_description all;
  all.add(options).add(hidden);

  po::variables_map values;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), values);
    po::notify(values);
  } catch (const po::error& e) {
    io.err << "swarm-operator " << command.name << ": " << e.what() << " (see --help)\n";
    return 1;
  }
  if (values.count("help") > 0) {
    print_command_help(command, io.out);
    return 0;
  }
  for (const auto& [name, count] : command.positionals) {
    if (count > 0 && values.count(name) == 0) {
      io.err << "swarm-operator " << command.name << ": missing " << name
             << " (usage: swarm-operator " << command.name << ' ' << command.usage << ")\n";
      return 1;
    }
  }
  if (!command.run) {
    io.err << "swarm-operator " << command.name
           << ": not built in this version yet; see `swarm-operator " << command.name
           << " --help` for the interface it will have\n";
    return 1;
  }
  return command.run(values, io);
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  Streams io{out, err};
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_overview(err);
    return 1;
  }
  const std::string& first = args.front();
  if (first == "--help" || first == "-h" || first == "help") {
    if (args.size() > 1) {
      if (const Command* command = find_command(args[1])) {
        print_command_help(*command, out);
        return 0;
      }
    }
    print_overview(out);
    return 0;
  }
  if (first == "--version" || first == "version") {
    out << "swarm-operator " << kVersion << '\n';
    return 0;
  }
  const Command* command = find_command(first);
  if (command == nullptr) {
    err << "swarm-operator: unknown command \"" << first << "\"\n\n";
    print_overview(err);
    return 1;
  }
  args.erase(args.begin());
  return run_command(*command, args, io);
}

}  // namespace swarmop::cli
