#include "runtime/benchmark.h"

#include "export/exportrewrite.h"
#include "model/model.h"
#include "model/torchmodel.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>

namespace gkp {

namespace {
bool isFrozen(const torch::jit::Module &m)
{
    // A frozen module keeps no parameters: they became constants of the graph.
    return m.parameters().size() == 0;
}
} // namespace

double medianOf(std::vector<double> values)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

BenchResult benchmarkModels(const std::vector<const Model *> &models, const BenchOptions &options,
                            const ProgressFn &progress)
{
    torch::NoGradGuard noGrad;
    BenchResult r;
    r.batches = options.batches;
    std::vector<torch::jit::Module> modules;
    for (const Model *m : models) {
        r.models.push_back(m->path());
        torch::jit::Module mod = m->impl().module;
        if ((options.freeze || options.runtime != Runtime::Frozen) && !isFrozen(mod))
            mod = buildFrozenOriginal(*m);
        mod.eval();
        mod = forRuntime(mod, options.runtime);
        modules.push_back(mod);
    }
    r.median_ms.assign(models.size(), std::vector<double>(options.batches.size(), 0.0));
    r.min_ms = r.median_ms;
    const int total = int(options.batches.size()) * (options.runs + options.warmup);
    int done = 0;
    for (std::size_t bi = 0; bi < options.batches.size(); ++bi) {
        std::vector<torch::Tensor> inputs;
        for (const Model *m : models) {
            Shape shape = m->inventory().input_shape;
            shape[0] = options.batches[bi];
            torch::Tensor x = torch::randn(shape);
            if (options.channels_last && x.dim() == 4)
                x = x.contiguous(at::MemoryFormat::ChannelsLast);
            inputs.push_back(x);
        }
        std::vector<std::vector<double>> times(models.size());
        for (int run = 0; run < options.warmup + options.runs; ++run) {
            for (std::size_t k = 0; k < modules.size(); ++k) {
                const auto start = std::chrono::steady_clock::now();
                modules[k].forward({inputs[k]});
                const double ms =
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
                if (run >= options.warmup)
                    times[k].push_back(ms);
            }
            if (progress && !progress(++done, total))
                throw Cancelled();
        }
        for (std::size_t k = 0; k < modules.size(); ++k) {
            r.median_ms[k][bi] = medianOf(times[k]);
            r.min_ms[k][bi] = *std::min_element(times[k].begin(), times[k].end());
        }
    }
    return r;
}

} // namespace gkp
