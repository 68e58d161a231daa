#include "dist/modelstate.h"

#include "dist/communicator.h"

#include <torch/torch.h>

namespace gkp {

namespace {

// Floating-point and integer state alike (num_batches_tracked is int64), in a fixed order.
std::vector<torch::Tensor> stateTensors(const torch::jit::Module &module)
{
    std::vector<torch::Tensor> out;
    for (const auto &p : module.named_parameters(true))
        out.push_back(p.value);
    for (const auto &b : module.named_buffers(true))
        out.push_back(b.value);
    return out;
}

} // namespace

void broadcastState(torch::jit::Module &module, Communicator &communicator)
{
    std::vector<torch::Tensor> live = stateTensors(module);
    std::vector<torch::Tensor> copies;
    for (const torch::Tensor &t : live)
        copies.push_back(t.detach().contiguous().clone());
    communicator.broadcast(copies, 0, "the initial broadcast of the model from rank 0");
    torch::NoGradGuard noGrad;
    for (std::size_t i = 0; i < live.size(); ++i)
        live[i].copy_(copies[i]);
}

double stateDivergence(const torch::jit::Module &module, Communicator &communicator)
{
    const std::vector<torch::Tensor> live = stateTensors(module);
    std::vector<torch::Tensor> rank0;
    for (const torch::Tensor &t : live)
        rank0.push_back(t.detach().contiguous().clone());
    communicator.broadcast(rank0, 0, "the final comparison of the ranks' models");
    double diff = 0.0;
    for (std::size_t i = 0; i < live.size(); ++i)
        if (live[i].numel())
            diff = std::max(diff, (live[i].detach().to(torch::kDouble) - rank0[i].to(torch::kDouble))
                                      .abs()
                                      .max()
                                      .item<double>());
    torch::Tensor d = torch::full({1}, diff, torch::kDouble);
    communicator.allReduceMax(d, "the final comparison of the ranks' models");
    return d.item<double>();
}

} // namespace gkp
