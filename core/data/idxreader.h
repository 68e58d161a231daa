#pragma once

#include "data/dataset.h"

#include <string>

namespace gkp {

struct IdxReadOptions
{
    int64_t classes = 0; // 0: the largest label + 1; otherwise labels must be below it
    int64_t limit = -1;  // read only the first N samples (-1: all)
    std::string description;
};

// Reads an IDX image file (magic 0x00000803, unsigned bytes, N x H x W) and its IDX label file
// (0x00000801, N), raw or gzip-compressed, as used by MNIST and Fashion-MNIST. Validates the
// magic numbers, the dimensions, the file lengths, the image/label counts and the label range;
// throws gkp::Error naming the file and the problem.
RawDataset readIdx(const std::string &imagesPath, const std::string &labelsPath,
                   const IdxReadOptions &options, const ProgressFn &progress = {});

} // namespace gkp
