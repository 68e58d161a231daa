#pragma once

#include "data/dataset.h"

#include <optional>
#include <string>

namespace gkp {

enum class DatasetFormat { FashionMnist, Mnist, Idx, Cifar10, Cifar100, Folder };

// What a user asked for on the command line; see docs/datasets.md for the grammar:
//   SOURCE[,OPTION...] with SOURCE one of
//   fashion-mnist[:DIR][:test|train]   mnist[:DIR][:test|train]   idx:IMAGES,LABELS
//   cifar10:FILE_OR_DIR[:test|train]   cifar100:FILE_OR_DIR[:test|train]   folder:DIR
//   and OPTION one of size=HxW, channels=N, mean=a[/b/c], std=a[/b/c], classes=N (idx only).
struct DatasetSpec
{
    DatasetFormat format = DatasetFormat::FashionMnist;
    std::string path;        // directory or file; empty: the installed copy (fashion-mnist, mnist)
    std::string labels_path; // idx only
    std::string split = "test";
    std::optional<int> channels;
    std::optional<int> height, width;
    std::vector<float> mean, std; // empty: the format's default
    int64_t classes = 0;          // idx only; 0: the largest label + 1
};

// Throws gkp::Error with a one-line message saying what is wrong and what is expected.
DatasetSpec parseDatasetSpec(const std::string &text);

// Where `fashion-mnist` without a directory looks (Debian package dataset-fashion-mnist).
inline constexpr const char *InstalledFashionMnistDir = "/usr/share/datasets/fashion-mnist";
inline constexpr const char *InstalledMnistDir = "/usr/share/datasets/mnist";

// The normalisation used when the spec gives no mean/std (see dataset.h for the values).
Normalization defaultNormalization(DatasetFormat format);

// Resolves files, reads and prepares the dataset. `limit` >= 0 keeps the first N samples and
// reads no more than needed. Throws gkp::Error, or gkp::Cancelled when progress returns false.
Dataset loadDataset(const DatasetSpec &spec, int64_t limit = -1, const ProgressFn &progress = {});

} // namespace gkp
