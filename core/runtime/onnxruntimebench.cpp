#include "runtime/onnxruntimebench.h"

#include "model/model.h"
#include "onnx/onnxexport.h"
#include "runtime/threads.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

namespace gkp {

namespace fs = std::filesystem;

namespace {

const char *InstallHint = "install Node.js (Debian: nodejs) and, in the build folder, onnxruntime-node: "
                          "ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix build/ort --ignore-scripts "
                          "onnxruntime-node@1.30.0 (tools/build.sh does this)";

// `node RUNNER --serve` with pipes to its stdin and stdout, its stderr into a file (for messages).
class OrtProcess
{
public:
    explicit OrtProcess(const std::string &runner)
    {
        m_stderr = (fs::temp_directory_path() / ("gkp-ort-" + std::to_string(::getpid()) + ".err")).string();
        int in[2], out[2];
        if (::pipe(in) != 0 || ::pipe(out) != 0)
            throw Error("cannot start ONNX Runtime: no pipes");
        m_pid = ::fork();
        if (m_pid < 0)
            throw Error("cannot start ONNX Runtime: fork failed");
        if (m_pid == 0) {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            if (FILE *err = std::fopen(m_stderr.c_str(), "w"))
                ::dup2(::fileno(err), 2);
            ::close(in[1]);
            ::close(out[0]);
            ::execlp("node", "node", runner.c_str(), "--serve", static_cast<char *>(nullptr));
            std::fprintf(stderr, "ort-run: error: node (Node.js) was not found\n");
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        m_in = ::fdopen(in[1], "w");
        m_out = ::fdopen(out[0], "r");
        m_oldPipe = std::signal(SIGPIPE, SIG_IGN); // a runner that quit must not kill gkp
    }

    ~OrtProcess()
    {
        if (m_in)
            std::fclose(m_in);
        if (m_out)
            std::fclose(m_out);
        if (m_pid > 0) {
            int status = 0;
            ::waitpid(m_pid, &status, 0);
        }
        std::signal(SIGPIPE, m_oldPipe);
        std::error_code ec;
        fs::remove(m_stderr, ec);
    }

    nlohmann::json request(const nlohmann::json &r)
    {
        const std::string line = r.dump() + "\n";
        std::string reply;
        if (std::fputs(line.c_str(), m_in) >= 0 && std::fflush(m_in) == 0) {
            char buf[4096];
            while (std::fgets(buf, sizeof buf, m_out)) {
                reply += buf;
                if (!reply.empty() && reply.back() == '\n')
                    break;
            }
        }
        if (reply.empty())
            throw Error("ONNX Runtime is not available: " + lastError() + "; " + InstallHint);
        nlohmann::json j = nlohmann::json::parse(reply, nullptr, false);
        if (j.is_discarded())
            throw Error("ONNX Runtime runner replied with something else than JSON");
        if (j.contains("error"))
            throw Error("ONNX Runtime: " + j["error"].get<std::string>());
        return j;
    }

private:
    std::string lastError() const
    {
        std::ifstream in(m_stderr);
        std::string line, last;
        while (std::getline(in, line))
            if (!line.empty())
                last = line;
        const std::string prefix = "ort-run: error: ";
        if (last.rfind(prefix, 0) == 0)
            last = last.substr(prefix.size());
        return last.empty() ? "the runner exited" : last;
    }

    pid_t m_pid = -1;
    FILE *m_in = nullptr, *m_out = nullptr;
    std::string m_stderr;
    void (*m_oldPipe)(int) = SIG_DFL;
};

} // namespace

std::string findOrtRunner()
{
    if (const char *env = std::getenv("GKP_ORT_RUNNER"); env && *env)
        return fs::exists(env) ? std::string(env) : std::string();
    std::error_code ec;
    fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
    for (int up = 0; up < 6 && !ec && !dir.empty(); ++up, dir = dir.parent_path()) {
        const fs::path candidate = dir / "tools" / "ort-run.mjs";
        if (fs::exists(candidate, ec))
            return candidate.string();
        if (dir == dir.root_path())
            break;
    }
    return {};
}

BenchResult benchmarkInOnnxRuntime(const std::vector<const Model *> &models, const BenchOptions &options,
                                   const ProgressFn &progress)
{
    for (const Model *m : models)
        if (m->format() != ModelFormat::Onnx)
            throw Error("--runtime onnxruntime times ONNX files; '" + m->path() + "' is " + toString(m->format()));
    const std::string runner = findOrtRunner();
    if (runner.empty())
        throw Error("ONNX Runtime runner tools/ort-run.mjs not found (set GKP_ORT_RUNNER to its path)");
    OrtProcess ort(runner);
    BenchResult r;
    for (const Model *m : models)
        r.models.push_back(m->path());
    r.batches = options.batches;
    r.median_ms.assign(models.size(), {});
    r.min_ms.assign(models.size(), {});
    // Rounds of a few runs, the models taking turns, so noise on the machine hits all of them.
    const int runs = std::max(1, options.runs), rounds = std::min(runs, 5);
    const int total = int(options.batches.size() * models.size()) * rounds;
    int done = 0;
    const std::string input = (fs::temp_directory_path() / ("gkp-ort-" + std::to_string(::getpid()) + ".f32")).string();
    for (int64_t batch : options.batches) {
        std::vector<std::vector<double>> times(models.size());
        std::vector<Shape> shapes;
        for (const Model *m : models)
            shapes.push_back(onnxFileInputShape(*m, batch));
        for (int round = 0; round < rounds; ++round) {
            for (std::size_t k = 0; k < models.size(); ++k) {
                {
                    const torch::Tensor x = torch::randn(shapes[k]).contiguous();
                    std::ofstream out(input, std::ios::binary | std::ios::trunc);
                    out.write(static_cast<const char *>(x.data_ptr()), std::streamsize(x.numel() * 4));
                    if (!out)
                        throw Error("cannot write the ONNX Runtime input file " + input);
                }
                const int n = runs / rounds + (round < runs % rounds ? 1 : 0);
                const nlohmann::json reply = ort.request({{"model", fs::absolute(models[k]->path()).string()},
                                                          {"input", input},
                                                          {"dims", shapes[k]},
                                                          {"runs", n},
                                                          {"warmup", round == 0 ? options.warmup : 0},
                                                          {"threads", threadCount()}});
                for (double t : reply.at("times_ms"))
                    times[k].push_back(t);
                if (progress && !progress(++done, total)) {
                    std::error_code ec;
                    fs::remove(input, ec);
                    throw Cancelled();
                }
            }
        }
        for (std::size_t k = 0; k < models.size(); ++k) {
            r.median_ms[k].push_back(medianOf(times[k]));
            r.min_ms[k].push_back(*std::min_element(times[k].begin(), times[k].end()));
        }
    }
    std::error_code ec;
    fs::remove(input, ec);
    return r;
}

} // namespace gkp
