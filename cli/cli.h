#pragma once

namespace gkp::cli {

// Entry point of the `gkp` command-line tool; returns the process exit code.
int run(int argc, char **argv);

} // namespace gkp::cli
