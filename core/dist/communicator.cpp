#include "dist/communicator.h"

#include "model/torchmodel.h"

#include <glog/logging.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

namespace gkp {

struct Communicator::Impl
{
    DistributedEnvironment env;
    std::chrono::milliseconds timeout{0};
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;

    [[noreturn]] void fail(const char *what, const std::exception &e) const
    {
        throw Error(env.describe() + ": " + what + " failed: " + briefError(e) +
                    " (another rank stopped, see its error, or did not answer within " +
                    std::to_string(timeout.count() / 1000) + " s)");
    }

    void wait(const c10::intrusive_ptr<c10d::Work> &work, const char *what) const
    {
        try {
            work->wait();
        } catch (const std::exception &e) {
            fail(what, e);
        }
    }
};

namespace {

bool isLoopback(const std::string &host)
{
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1" || host == "[::1]";
}

std::shared_ptr<gloo::transport::Device> glooDevice(const std::string &master)
{
    if (isLoopback(master))
        return c10d::ProcessGroupGloo::createDeviceForHostname(master == "localhost" ? "127.0.0.1" : master);
    if (const char *ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
        return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

// c10d logs its connection retries and timeouts through glog on stderr; join() reports them as
// one error instead, so they are silenced while it runs.
class QuietLogging
{
public:
    QuietLogging() : m_level(FLAGS_minloglevel) { FLAGS_minloglevel = google::GLOG_FATAL; }
    ~QuietLogging() { FLAGS_minloglevel = m_level; }

private:
    int m_level;
};

} // namespace

Communicator::Communicator(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Communicator::~Communicator() = default;

std::unique_ptr<Communicator> Communicator::join(const DistributedEnvironment &env,
                                                 std::chrono::milliseconds timeout)
{
    auto impl = std::make_unique<Impl>();
    impl->env = env;
    impl->timeout = timeout;
    const std::string where = env.master_addr + ":" + std::to_string(env.master_port);
    const std::string seconds = std::to_string(timeout.count() / 1000) + " s";
    QuietLogging quiet;
    try {
        c10d::TCPStoreOptions so;
        so.port = env.master_port;
        so.isServer = !env.agent_store && env.rank == 0;
        so.numWorkers = std::size_t(env.world_size);
        so.waitWorkers = !env.agent_store;
        so.timeout = timeout;
        c10::intrusive_ptr<c10d::Store> tcp = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
        const std::string prefix =
            env.agent_store ? "/worker/attempt_" + std::to_string(env.restart_count) : "";
        impl->store = c10::make_intrusive<c10d::PrefixStore>(prefix + "/gkp", tcp);
    } catch (const std::exception &e) {
        throw Error(env.describe() + ": cannot join the job at " + where + ": " + briefError(e) +
                    (env.rank == 0 && !env.agent_store ? " (rank 0 hosts its store there: is the port free?)"
                                                       : " (is rank 0 running, and the address reachable?)"));
    }
    try {
        auto options = c10d::ProcessGroupGloo::Options::create(timeout);
        options->devices.push_back(glooDevice(env.master_addr));
        impl->group =
            c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, env.rank, env.world_size, options);
    } catch (const std::exception &e) {
        throw Error(env.describe() + ": cannot join the job at " + where +
                    ": the Gloo process group did not form (" + briefError(e) + "); did all " +
                    std::to_string(env.world_size) + " ranks start within " + seconds + "?");
    }
    return std::unique_ptr<Communicator>(new Communicator(std::move(impl)));
}

std::unique_ptr<Communicator> Communicator::fromEnvironment(std::chrono::milliseconds timeout)
{
    const std::optional<DistributedEnvironment> env = distributedEnvironment();
    if (!env)
        return nullptr;
    return join(*env, timeout);
}

int Communicator::rank() const
{
    return m_impl->env.rank;
}

int Communicator::size() const
{
    return m_impl->env.world_size;
}

const DistributedEnvironment &Communicator::environment() const
{
    return m_impl->env;
}

std::string Communicator::describe() const
{
    return m_impl->env.describe();
}

std::chrono::milliseconds Communicator::timeout() const
{
    return m_impl->timeout;
}

void Communicator::allReduceSum(std::vector<torch::Tensor> &tensors, const char *what)
{
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    try {
        for (torch::Tensor &t : tensors) {
            std::vector<torch::Tensor> one{t};
            works.push_back(m_impl->group->allreduce(one));
        }
    } catch (const std::exception &e) {
        m_impl->fail(what, e);
    }
    for (const auto &w : works)
        m_impl->wait(w, what);
}

void Communicator::allReduceSum(torch::Tensor &tensor, const char *what)
{
    std::vector<torch::Tensor> one{tensor};
    allReduceSum(one, what);
}

void Communicator::allReduceMax(torch::Tensor &tensor, const char *what)
{
    std::vector<torch::Tensor> one{tensor};
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::MAX;
    c10::intrusive_ptr<c10d::Work> work;
    try {
        work = m_impl->group->allreduce(one, o);
    } catch (const std::exception &e) {
        m_impl->fail(what, e);
    }
    m_impl->wait(work, what);
}

void Communicator::broadcast(std::vector<torch::Tensor> &tensors, int root, const char *what)
{
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    try {
        for (torch::Tensor &t : tensors) {
            std::vector<torch::Tensor> one{t};
            c10d::BroadcastOptions o;
            o.rootRank = root;
            works.push_back(m_impl->group->broadcast(one, o));
        }
    } catch (const std::exception &e) {
        m_impl->fail(what, e);
    }
    for (const auto &w : works)
        m_impl->wait(w, what);
}

torch::Tensor Communicator::allGather(const torch::Tensor &tensor, const char *what)
{
    std::vector<torch::Tensor> input{tensor.contiguous()};
    std::vector<std::vector<torch::Tensor>> output(1);
    for (int r = 0; r < size(); ++r)
        output[0].push_back(torch::empty_like(input[0]));
    c10::intrusive_ptr<c10d::Work> work;
    try {
        work = m_impl->group->allgather(output, input);
    } catch (const std::exception &e) {
        m_impl->fail(what, e);
    }
    m_impl->wait(work, what);
    return torch::stack(output[0]);
}

void Communicator::checkSame(const std::vector<std::pair<std::string, int64_t>> &values)
{
    torch::Tensor mine = torch::empty({int64_t(values.size())}, torch::kLong);
    for (std::size_t i = 0; i < values.size(); ++i)
        mine[int64_t(i)] = values[i].second;
    const torch::Tensor all = allGather(mine, "the comparison of the ranks' settings");
    for (std::size_t i = 0; i < values.size(); ++i)
        for (int r = 1; r < size(); ++r)
            if (all[r][int64_t(i)].item<int64_t>() != all[0][int64_t(i)].item<int64_t>())
                throw Error(describe() + ": the ranks disagree on " + values[i].first + " (rank 0: " +
                            std::to_string(all[0][int64_t(i)].item<int64_t>()) + ", rank " + std::to_string(r) +
                            ": " + std::to_string(all[r][int64_t(i)].item<int64_t>()) +
                            "); every rank must run the same command on the same data");
}

void Communicator::barrier(const char *what)
{
    c10::intrusive_ptr<c10d::Work> work;
    try {
        work = m_impl->group->barrier();
    } catch (const std::exception &e) {
        m_impl->fail(what, e);
    }
    m_impl->wait(work, what);
}

} // namespace gkp
