#include "runtime/filetiming.h"

#include "engine/plan.h"
#include "model/model.h"
#include "runtime/benchmark.h"
#include "runtime/onnxruntimebench.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

namespace gkp {
namespace {

namespace fs = std::filesystem;

// A private temporary folder, removed with everything in it when this goes out of scope.
class TemporaryFolder
{
public:
    TemporaryFolder()
    {
        std::string pattern = (fs::temp_directory_path() / "gkp-files-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw Error("cannot create a temporary folder under " + fs::temp_directory_path().string() +
                        " to time the candidate files in");
        m_path = pattern;
    }
    ~TemporaryFolder()
    {
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    TemporaryFolder(const TemporaryFolder &) = delete;
    TemporaryFolder &operator=(const TemporaryFolder &) = delete;
    const fs::path &path() const { return m_path; }

private:
    fs::path m_path;
};

// Median ms of each of `models` at `batch`, interleaved runs, in ONNX Runtime or in LibTorch
// prepared for `runtime`.
std::vector<double> timeModels(const std::vector<const Model *> &models, bool inOrt, Runtime runtime, int64_t batch,
                               int runs, int warmup, const ProgressFn &progress)
{
    BenchOptions bench;
    bench.batches = {batch};
    bench.runs = runs;
    bench.warmup = warmup;
    bench.runtime = runtime;
    const BenchResult result =
        inOrt ? benchmarkInOnnxRuntime(models, bench, progress) : benchmarkModels(models, bench, progress);
    std::vector<double> ms;
    for (const std::vector<double> &m : result.median_ms)
        ms.push_back(m.at(0));
    return ms;
}

} // namespace

std::vector<double> timeDeployFiles(const Model &model, const std::vector<const Plan *> &plans,
                                    const std::string &runtimeName, int64_t batch, int runs,
                                    const ProgressFn &progress)
{
    const bool inOrt = runtimeName == OnnxRuntimeName;
    if (inOrt && model.format() != ModelFormat::Onnx)
        throw Error("ONNX Runtime times ONNX files; this model is " + toString(model.format()));
    const std::optional<Runtime> libtorch = runtimeFromString(runtimeName);
    if (!inOrt && !libtorch)
        throw Error("unknown runtime '" + runtimeName + "'");
    const Runtime runtime = libtorch.value_or(Runtime::Frozen);
    TemporaryFolder folder;
    const char *extension = model.format() == ModelFormat::Onnx ? ".onnx" : ".pt";
    std::vector<Model> files;
    files.reserve(plans.size());
    const int steps = int(plans.size()) + 1;
    for (std::size_t i = 0; i < plans.size(); ++i) {
        if (progress && !progress(int(i), steps))
            throw Cancelled();
        const std::string path = (folder.path() / ("candidate" + std::to_string(i) + extension)).string();
        ExportOptions options;
        options.mode = ExportMode::Deploy;
        options.runtime = runtime;
        options.timing_batch = batch;
        options.verify_inputs = 2;
        (void)exportModel(model, *plans[i], path, options);
        LoadOptions load;
        load.input_shape = model.inventory().input_shape;
        load.written_as = "the candidate file of plan " + std::to_string(i + 1);
        files.push_back(Model::load(path, load));
    }
    if (progress && !progress(int(plans.size()), steps))
        throw Cancelled();
    std::vector<const Model *> timed;
    for (const Model &f : files)
        timed.push_back(&f);
    timed.push_back(&model);
    const std::vector<double> ms = timeModels(timed, inOrt, runtime, batch, runs, 2, {});
    if (progress)
        progress(steps, steps);
    return ms;
}

FileSpeed timeAgainstOriginal(const Model &original, const Model &written, Runtime runtime, int64_t batch, int runs,
                              const ProgressFn &progress)
{
    const bool inOrt = written.format() == ModelFormat::Onnx;
    const std::vector<double> ms = timeModels({&original, &written}, inOrt, runtime, batch, runs, 1, progress);
    FileSpeed speed;
    speed.original_ms = ms.at(0);
    speed.file_ms = ms.at(1);
    speed.runtime = inOrt ? std::string(OnnxRuntimeName) : toString(runtime);
    speed.batch = batch;
    speed.runs = runs;
    return speed;
}

std::string slowFileMessage(const FileSpeed &speed, const std::string &limit)
{
    char buf[320];
    std::snprintf(buf, sizeof buf, "%.3f ms against %.3f ms (%.2fx, below %s; medians of %d interleaved runs, %s runtime, batch %lld)",
                  speed.file_ms, speed.original_ms, speed.speedup(), limit.c_str(), speed.runs, speed.runtime.c_str(),
                  static_cast<long long>(speed.batch));
    return std::string(speed.speedup() < 1.0 ? "the pruned file runs slower than the original here: "
                                             : "the pruned file is not fast enough: ") +
           buf + "; no file written";
}

} // namespace gkp
