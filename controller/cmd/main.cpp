#include <iostream>

#include "swarmop/cli/cli.hpp"

int main(int argc, char** argv) {
  return swarmop::cli::run(argc, argv, std::cout, std::cerr);
}
