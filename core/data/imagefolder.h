#pragma once

#include "data/dataset.h"

#include <string>

namespace gkp {

struct ImageFolderOptions
{
    int channels = 3;              // 1 or 3: images are decoded to this many channels
    int height = 224, width = 224; // every image is resized to this (shorter side, then centre crop)
    int64_t limit = -1;            // decode only the first N images (-1: all)
};

// Reads DIR/<class>/<image>.{png,jpg,jpeg}: one subfolder per class, class ids in the byte order
// of the folder names, files in byte order within a class, so ids and sample order do not depend
// on the file system. Images are decoded with stb_image (grey, grey+alpha, RGB, RGBA, palette;
// alpha is dropped; colour to grey uses stb's integer ITU-R 601 luma), resized with resizeShorterSideAndCrop
// and rounded back to bytes, like a PIL-based torchvision pipeline. Other files are ignored. Throws
// gkp::Error naming the file that cannot be decoded, or saying why the folder is not a class-per-subfolder
// dataset.
RawDataset readImageFolder(const std::string &dir, const ImageFolderOptions &options,
                           const ProgressFn &progress = {});

// Decodes one PNG/JPEG file to uint8 [channels, h, w]. Throws gkp::Error.
torch::Tensor decodeImage(const std::string &path, int channels);

} // namespace gkp
