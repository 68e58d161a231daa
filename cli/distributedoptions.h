#pragma once

#include "dist/communicator.h"

#include <CLI/App.hpp>
#include <memory>

namespace gkp::cli {

// What the commands that run data-parallel under torchrun share.
struct DistributedOptions
{
    double timeout_seconds = 1800.0; // PyTorch's default process-group timeout

    void addTo(CLI::App &command);
    // Joins the job torchrun (or a launcher setting the same variables) describes, saying so on
    // rank 0's stderr; nullptr when the process runs alone.
    std::unique_ptr<Communicator> join() const;
};

} // namespace gkp::cli
