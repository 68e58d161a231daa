#include "dist/environment.h"

#include "util/error.h"

#include <cstdlib>

namespace gkp {

namespace {

long long parseInteger(const EnvironmentLookup &lookup, const char *name, long long low, long long high,
                       const std::string &range)
{
    const std::optional<std::string> text = lookup(name);
    if (!text)
        throw Error(std::string("distributed run: ") + name +
                    " is not set (torchrun sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT)");
    try {
        std::size_t used = 0;
        const long long v = std::stoll(*text, &used);
        if (used != text->size() || v < low || v > high)
            throw std::invalid_argument(*text);
        return v;
    } catch (const std::exception &) {
        throw Error(std::string("distributed run: ") + name + "='" + *text + "': expected " + range);
    }
}

} // namespace

std::string DistributedEnvironment::describe() const
{
    return "rank " + std::to_string(rank) + " of " + std::to_string(world_size);
}

std::optional<std::string> processEnvironment(const char *name)
{
    const char *v = std::getenv(name);
    if (!v)
        return std::nullopt;
    return std::string(v);
}

std::optional<DistributedEnvironment> distributedEnvironment(const EnvironmentLookup &lookup)
{
    if (!lookup("RANK") && !lookup("WORLD_SIZE"))
        return std::nullopt;
    DistributedEnvironment env;
    env.world_size = int(parseInteger(lookup, "WORLD_SIZE", 1, 1 << 20, "a positive integer"));
    env.rank =
        int(parseInteger(lookup, "RANK", 0, env.world_size - 1,
                         "an integer from 0 to WORLD_SIZE - 1 = " + std::to_string(env.world_size - 1)));
    if (env.world_size == 1)
        return std::nullopt;
    env.local_rank = lookup("LOCAL_RANK") ? int(parseInteger(lookup, "LOCAL_RANK", 0, env.world_size - 1,
                                                             "an integer from 0 to WORLD_SIZE - 1"))
                                          : env.rank;
    const std::optional<std::string> addr = lookup("MASTER_ADDR");
    if (!addr || addr->empty())
        throw Error("distributed run: MASTER_ADDR is not set (the host name or address of rank 0)");
    env.master_addr = *addr;
    env.master_port =
        uint16_t(parseInteger(lookup, "MASTER_PORT", 1, 65535, "a port number from 1 to 65535"));
    const std::optional<std::string> agent = lookup("TORCHELASTIC_USE_AGENT_STORE");
    env.agent_store = agent && *agent == "True";
    if (env.agent_store && lookup("TORCHELASTIC_RESTART_COUNT"))
        env.restart_count = int(parseInteger(lookup, "TORCHELASTIC_RESTART_COUNT", 0, 1 << 20, "a count"));
    return env;
}

} // namespace gkp
