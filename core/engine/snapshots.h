#pragma once

// Internal: training snapshots for TMI-GKP, loaded once per planner.

#include <torch/script.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gkp {

class Model;

struct SnapshotSet
{
    std::vector<std::string> given; // what the user passed (files and folders)
    std::vector<std::string> files; // the TorchScript files they expand to, sorted
    std::map<std::string, std::vector<torch::Tensor>> weights; // conv name -> weight per snapshot

    std::vector<torch::Tensor> weightsOf(const std::string &conv) const;
};

// Loads the prunable convs' weights from every snapshot; a folder stands for the .pt files in it.
// Returns `cached` when it was made from the same list, nullptr when `paths` is empty. Throws
// gkp::Error when a snapshot is unreadable or does not match the model's architecture.
std::shared_ptr<const SnapshotSet> loadSnapshots(const std::vector<std::string> &paths, const Model &model,
                                                 std::shared_ptr<const SnapshotSet> cached);

} // namespace gkp
