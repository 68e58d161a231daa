#pragma once

// Internal (LibTorch): one process's membership of a data-parallel job, through PyTorch's own
// c10d (TCPStore rendezvous, ProcessGroupGloo collectives on CPU).

#include "dist/environment.h"
#include "util/error.h"

#include <chrono>
#include <memory>
#include <torch/types.h>
#include <vector>

namespace gkp {

class Communicator
{
public:
    // Joins the job `env` describes: rank 0 hosts the TCPStore at MASTER_ADDR:MASTER_PORT (or
    // torchrun's agent does), every rank connects, then a Gloo process group forms over it.
    // `timeout` bounds the rendezvous and every collective, so an unreachable master, a rank that
    // never starts and a rank that hangs all end in gkp::Error (a rank that dies is usually
    // noticed at once: its connections close). On a loopback MASTER_ADDR the group talks over
    // loopback only; otherwise over GLOO_SOCKET_IFNAME, else this host name's address (as PyTorch).
    static std::unique_ptr<Communicator> join(const DistributedEnvironment &env,
                                              std::chrono::milliseconds timeout);
    // join() when the environment describes a job of two or more ranks, else nullptr.
    static std::unique_ptr<Communicator> fromEnvironment(std::chrono::milliseconds timeout);

    ~Communicator();
    Communicator(const Communicator &) = delete;
    Communicator &operator=(const Communicator &) = delete;

    int rank() const;
    int size() const;
    bool isMain() const { return rank() == 0; }
    const DistributedEnvironment &environment() const;
    std::string describe() const; // "rank 1 of 2"

    // Collectives. Every rank must make the same calls in the same order with tensors of the same
    // shapes and types (contiguous CPU tensors). `what` names the step in error messages.
    // In place; the tensors are reduced together (one collective each, launched before waiting).
    void allReduceSum(std::vector<torch::Tensor> &tensors, const char *what);
    void allReduceSum(torch::Tensor &tensor, const char *what);
    void allReduceMax(torch::Tensor &tensor, const char *what);
    void broadcast(std::vector<torch::Tensor> &tensors, int root, const char *what);
    // [size(), ...tensor's shape]: every rank's tensor, by rank.
    torch::Tensor allGather(const torch::Tensor &tensor, const char *what);
    void barrier(const char *what);
    // Every rank must pass the same values (sizes, settings): gkp::Error on every rank naming the
    // first that differs from rank 0's, e.g. "training images (rank 0: 50, rank 1: 49)".
    void checkSame(const std::vector<std::pair<std::string, int64_t>> &values);

    std::chrono::milliseconds timeout() const;

private:
    struct Impl;
    explicit Communicator(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace gkp
