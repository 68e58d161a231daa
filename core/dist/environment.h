#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace gkp {

// Where a process sits in a data-parallel job, as torchrun (and Slurm or Kubernetes through it)
// describes it in the environment: RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT.
struct DistributedEnvironment
{
    int rank = 0;
    int world_size = 1;
    int local_rank = 0;
    std::string master_addr;
    uint16_t master_port = 0;
    // torchrun's agent already hosts the TCPStore at MASTER_ADDR:MASTER_PORT
    // (TORCHELASTIC_USE_AGENT_STORE=True): every rank connects as a client, under a prefix
    // naming the restart (TORCHELASTIC_RESTART_COUNT), as PyTorch's env:// rendezvous does.
    bool agent_store = false;
    int restart_count = 0;

    std::string describe() const; // "rank 1 of 2"
};

using EnvironmentLookup = std::function<std::optional<std::string>(const char *name)>;

// The process environment (getenv).
std::optional<std::string> processEnvironment(const char *name);

// nullopt when neither RANK nor WORLD_SIZE is set, or when WORLD_SIZE is 1: the process runs
// alone, as without torchrun. Otherwise every variable must be present and valid; gkp::Error
// names the variable that is missing or wrong.
std::optional<DistributedEnvironment>
distributedEnvironment(const EnvironmentLookup &lookup = processEnvironment);

} // namespace gkp
