#include "datasetoptions.h"

#include "progressbar.h"

#include <iostream>

namespace gkp::cli {

void sizeFolderFromModel(DatasetSpec &spec, const Inventory &inventory)
{
    // A shape this tool stored in the archive, or one an ONNX file declares (when it is NCHW).
    const Shape &s = inventory.input_shape;
    const bool declared = inventory.input_shape_source.rfind("model", 0) == 0 && s.size() == 4 && (s[1] == 1 || s[1] == 3);
    if (spec.format != DatasetFormat::Folder || (inventory.input_shape_source != "archive" && !declared) ||
        inventory.input_shape.size() != 4)
        return;
    if (!spec.channels && (s[1] == 1 || s[1] == 3))
        spec.channels = int(s[1]);
    if (!spec.height && !spec.width) {
        spec.height = int(s[2]);
        spec.width = int(s[3]);
    }
    std::cerr << "image folder: using the model's input shape " << formatShape(s) << " (" << inventory.input_shape_source << ")"
              << " for channels and size unless the spec gives them\n";
}

namespace {

Dataset load(DatasetSpec spec, const Inventory &inventory, int64_t limit, const std::string &role)
{
    sizeFolderFromModel(spec, inventory);
    Dataset data;
    {
        ProgressBar bar("loading " + role);
        data = loadDataset(spec, limit, bar.callback());
    }
    std::cerr << role << ": " << data.summary() << '\n';
    return data;
}

} // namespace

Dataset loadDatasetFor(const std::string &specText, const Inventory &inventory, int64_t limit, const std::string &role)
{
    return load(parseDatasetSpec(specText), inventory, limit, role);
}

Dataset loadTrainingSplit(const std::string &evalSpec, const std::string &explicitSpec, const Inventory &inventory,
                          int64_t limit, const std::string &role, const std::string &optionName)
{
    if (!explicitSpec.empty())
        return load(parseDatasetSpec(explicitSpec), inventory, limit, role);
    DatasetSpec spec = parseDatasetSpec(evalSpec);
    if (spec.format == DatasetFormat::Idx || spec.format == DatasetFormat::Folder)
        throw Error("an idx or folder dataset has no training split: give the " + role + " with " + optionName);
    spec.split = "train";
    return load(spec, inventory, limit, role);
}

} // namespace gkp::cli
