#include "distributedoptions.h"

#include <CLI/CLI.hpp>
#include <iostream>

namespace gkp::cli {

void DistributedOptions::addTo(CLI::App &command)
{
    command
        .add_option("--dist-timeout", timeout_seconds,
                    "Under torchrun: seconds to wait for the other ranks (joining, and each collective)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
}

std::unique_ptr<Communicator> DistributedOptions::join() const
{
    const auto timeout = std::chrono::milliseconds(int64_t(timeout_seconds * 1000.0));
    std::unique_ptr<Communicator> c = Communicator::fromEnvironment(timeout);
    if (c && c->isMain()) {
        const DistributedEnvironment &env = c->environment();
        std::cerr << "joined a job of " << env.world_size << " ranks through " << env.master_addr << ':'
                  << env.master_port << " (Gloo)\n";
    }
    return c;
}

} // namespace gkp::cli
