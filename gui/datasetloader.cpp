#include "datasetloader.h"

#include "data/datasetspec.h"
#include "util/error.h"

namespace {

gkp::DatasetSpec parse(const QString &text, const gkp::Inventory &inventory)
{
    if (text.trimmed().isEmpty())
        throw gkp::Error("no dataset chosen");
    gkp::DatasetSpec spec = gkp::parseDatasetSpec(text.trimmed().toStdString());
    const gkp::Shape &s = inventory.input_shape;
    if (spec.format == gkp::DatasetFormat::Folder && s.size() == 4) {
        if (!spec.channels && (s[1] == 1 || s[1] == 3))
            spec.channels = int(s[1]);
        if (!spec.height && !spec.width) {
            spec.height = int(s[2]);
            spec.width = int(s[3]);
        }
    }
    return spec;
}

bool hasSplits(const gkp::DatasetSpec &spec)
{
    return spec.format != gkp::DatasetFormat::Idx && spec.format != gkp::DatasetFormat::Folder;
}

} // namespace

LoadedData loadDatasetChoice(const DatasetChoice &choice, const gkp::Inventory &inventory,
                             const gkp::ProgressFn &progress)
{
    LoadedData d;
    d.eval = gkp::loadDataset(parse(choice.spec, inventory), choice.limit > 0 ? choice.limit : -1, progress);
    if (choice.recalibration > 0) {
        if (!choice.calibrationSpec.isEmpty()) {
            d.calibration = gkp::loadDataset(parse(choice.calibrationSpec, inventory), choice.recalibration, progress);
        } else {
            gkp::DatasetSpec spec = parse(choice.spec, inventory);
            if (!hasSplits(spec))
                throw gkp::Error("an idx or folder dataset has no training split: give the recalibration data");
            spec.split = "train";
            d.calibration = gkp::loadDataset(spec, choice.recalibration, progress);
        }
    }
    return d;
}

gkp::Dataset loadTrainingData(const QString &text, const gkp::Inventory &inventory, int limit,
                              const gkp::ProgressFn &progress)
{
    gkp::DatasetSpec spec = parse(text, inventory);
    if (hasSplits(spec))
        spec.split = "train";
    return gkp::loadDataset(spec, limit > 0 ? limit : -1, progress);
}
