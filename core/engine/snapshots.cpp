#include "engine/snapshots.h"

#include "util/error.h"
#include "model/model.h"
#include "model/torchmodel.h"

#include <algorithm>
#include <filesystem>

namespace gkp {

namespace fs = std::filesystem;

std::vector<torch::Tensor> SnapshotSet::weightsOf(const std::string &conv) const
{
    auto it = weights.find(conv);
    return it == weights.end() ? std::vector<torch::Tensor>{} : it->second;
}

std::shared_ptr<const SnapshotSet> loadSnapshots(const std::vector<std::string> &paths, const Model &model,
                                                 std::shared_ptr<const SnapshotSet> cached)
{
    if (paths.empty())
        return nullptr;
    if (cached && cached->given == paths)
        return cached;
    auto set = std::make_shared<SnapshotSet>();
    set->given = paths;
    for (const std::string &p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<std::string> found;
            for (const auto &entry : fs::directory_iterator(p, ec))
                if (entry.is_regular_file() && (entry.path().extension() == ".pt" || entry.path().extension() == ".pth"))
                    found.push_back(entry.path().string());
            std::sort(found.begin(), found.end());
            if (found.empty())
                throw Error("snapshot folder '" + p + "' has no .pt files");
            set->files.insert(set->files.end(), found.begin(), found.end());
        } else if (fs::exists(p, ec)) {
            set->files.push_back(p);
        } else {
            throw Error("snapshot '" + p + "': no such file or folder");
        }
    }
    const Inventory &inv = model.inventory();
    for (const std::string &file : set->files) {
        torch::jit::Module m;
        try {
            m = torch::jit::load(file, torch::kCPU);
        } catch (const std::exception &e) {
            throw Error("snapshot '" + file + "' cannot be loaded: " + briefError(e));
        }
        std::map<std::string, torch::Tensor> params;
        for (const auto &p : m.named_parameters(/*recurse=*/true))
            params[p.name] = p.value;
        for (const ConvLayer &l : inv.layers) {
            if (!l.prunable)
                continue;
            auto it = params.find(l.name + ".weight");
            if (it == params.end())
                throw Error("snapshot '" + file + "' does not match the model: it has no parameter '" + l.name +
                            ".weight'");
            const torch::Tensor &ref = model.impl().weights.at(std::size_t(l.index));
            if (it->second.sizes() != ref.sizes())
                throw Error("snapshot '" + file + "' does not match the model: '" + l.name + ".weight' has shape " +
                            c10::str(it->second.sizes()) + ", the model's is " + c10::str(ref.sizes()));
            set->weights[l.name].push_back(it->second.detach().to(torch::kFloat).contiguous());
        }
    }
    return set;
}

} // namespace gkp
