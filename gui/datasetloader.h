#pragma once

// Loading a DatasetChoice in a worker thread (LibTorch types: not for moc-visible headers).

#include "datasetdialog.h"
#include "data/dataset.h"
#include "model/inventory.h"

struct LoadedData
{
    gkp::Dataset eval;
    gkp::Dataset calibration; // empty unless the choice recalibrates
};

// Throws gkp::Error with a readable message (bad spec, missing files), gkp::Cancelled.
// An image folder is sized from the model's input shape.
LoadedData loadDatasetChoice(const DatasetChoice &choice, const gkp::Inventory &inventory,
                             const gkp::ProgressFn &progress = {});

// The training split of a spec (idx/folder specs are used as given).
gkp::Dataset loadTrainingData(const QString &spec, const gkp::Inventory &inventory, int limit,
                              const gkp::ProgressFn &progress = {});
