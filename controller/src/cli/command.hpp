#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <ostream>
#include <string_view>
#include <utility>
#include <vector>

namespace swarmop::cli {

struct Streams {
  std::ostream& out;
  std::ostream& err;
};

//! One subcommand: its documentation (what --help prints) and its implementation. The table
//! of commands is the single place both the help text and the dispatcher read.
struct Command {
  std::string_view name;
  std::string_view summary;  //!< one line, for the command list
  std::string_view usage;    //!< arguments after the command name
  std::string_view details;  //!< paragraphs for `COMMAND --help`
  std::vector<std::pair<int, std::string_view>> exit_codes;
  std::function<void(boost::program_options::options_description&)> add_options;
  //! Positional arguments: name and how many (-1 for any number).
  std::vector<std::pair<const char*, int>> positionals;
  //! Empty while the command is documented but not built yet.
  std::function<int(const boost::program_options::variables_map&, Streams&)> run;
};

const std::vector<Command>& command_table();

void print_overview(std::ostream& out);
void print_command_help(const Command& command, std::ostream& out);
boost::program_options::options_description options_of(const Command& command);

int run_validate(const boost::program_options::variables_map& options, Streams& io);
int run_sim(const boost::program_options::variables_map& options, Streams& io);
int run_plan(const boost::program_options::variables_map& options, Streams& io);
int run_apply(const boost::program_options::variables_map& options, Streams& io);
int run_snapshot(const boost::program_options::variables_map& options, Streams& io);
int run_diff(const boost::program_options::variables_map& options, Streams& io);
int run_watch(const boost::program_options::variables_map& options, Streams& io);
int run_demo(const boost::program_options::variables_map& options, Streams& io);
int run_render(const boost::program_options::variables_map& options, Streams& io);
int run_healthcheck(const boost::program_options::variables_map& options, Streams& io);

}  // namespace swarmop::cli
