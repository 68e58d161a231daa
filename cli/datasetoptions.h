#pragma once

#include "data/dataset.h"
#include "data/datasetspec.h"
#include "model/inventory.h"

#include <string>

namespace gkp::cli {

inline constexpr const char *DatasetHelp =
    "Dataset SPEC: fashion-mnist[:test|train], mnist:DIR, idx:IMAGES,LABELS, cifar10:FILE_OR_DIR, "
    "cifar100:FILE_OR_DIR, folder:DIR, with ,size=HxW ,channels=N ,mean=a/b/c ,std=a/b/c (see docs/datasets.md)";

// An image folder has no natural size: use the model's stored input shape when it has one.
void sizeFolderFromModel(DatasetSpec &spec, const Inventory &inventory);

// Parses `specText`, sizes folders from the model, loads with a progress bar on stderr and prints
// the dataset summary there, prefixed by `role` ("dataset", "training data").
Dataset loadDatasetFor(const std::string &specText, const Inventory &inventory, int64_t limit,
                       const std::string &role = "dataset");

// BatchNorm recalibration / training data: `explicitSpec` when given, else the training split of
// `evalSpec` (fashion-mnist, mnist, cifar10/100); throws gkp::Error for idx/folder datasets
// without an explicit spec. `limit` < 0 loads all of it.
Dataset loadTrainingSplit(const std::string &evalSpec, const std::string &explicitSpec, const Inventory &inventory,
                          int64_t limit, const std::string &role, const std::string &optionName);

} // namespace gkp::cli
