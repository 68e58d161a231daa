#pragma once

#include "data/dataset.h"

#include <string>
#include <vector>

namespace gkp {

enum class CifarKind { Cifar10, Cifar100 };

struct CifarReadOptions
{
    CifarKind kind = CifarKind::Cifar10;
    int64_t limit = -1; // read only the first N samples over all files (-1: all)
    std::string description;
};

// Reads CIFAR binary batches, concatenated in the given order. CIFAR-10 records are 1 label
// byte + 3072 pixel bytes (3 planes of 32x32, R then G then B); CIFAR-100 records have 2 label
// bytes (coarse, fine) and the fine label (100 classes) is used. A file whose size is not a
// multiple of the record size, or a label out of range, is a gkp::Error naming the file.
RawDataset readCifar(const std::vector<std::string> &files, const CifarReadOptions &options,
                     const ProgressFn &progress = {});

} // namespace gkp
