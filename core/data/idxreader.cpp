#include "data/idxreader.h"

#include "util/binaryfile.h"

#include <algorithm>
#include <cstdio>
#include <torch/torch.h>

namespace gkp {

namespace {

constexpr unsigned char UnsignedByteType = 0x08;

std::string hex32(uint32_t value)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", value);
    return buf;
}

// Returns the dimensions after checking the magic number: two zero bytes, the element type
// (only unsigned bytes make sense for pixels and labels) and the expected number of dimensions.
std::vector<uint32_t> readHeader(BinaryFile &file, int expectedDims, const char *kind)
{
    const uint32_t magic = file.readBigEndian32("the header");
    const std::string expected = hex32(0x800u + unsigned(expectedDims));
    if ((magic >> 16) != 0)
        throw Error("'" + file.path() + "' is not an IDX " + kind + " file: bad magic number " +
                    hex32(magic) + " (expected " + expected + ")");
    if (((magic >> 8) & 0xff) != UnsignedByteType)
        throw Error("'" + file.path() + "' is an IDX file of another element type (magic " + hex32(magic) +
                    "); " + kind + " must be unsigned bytes (" + expected + ")");
    const int dims = int(magic & 0xff);
    if (dims != expectedDims)
        throw Error("'" + file.path() + "' has " + std::to_string(dims) + " dimensions (magic " +
                    hex32(magic) + "); an IDX " + kind + " file has " + std::to_string(expectedDims) + " (" +
                    expected + ")");
    std::vector<uint32_t> sizes;
    for (int d = 0; d < dims; ++d)
        sizes.push_back(file.readBigEndian32("the header"));
    return sizes;
}

} // namespace

RawDataset readIdx(const std::string &imagesPath, const std::string &labelsPath,
                   const IdxReadOptions &options, const ProgressFn &progress)
{
    BinaryFile images(imagesPath);
    BinaryFile labels(labelsPath);
    const std::vector<uint32_t> imageDims = readHeader(images, 3, "images");
    const std::vector<uint32_t> labelDims = readHeader(labels, 1, "labels");
    const int64_t count = imageDims[0], height = imageDims[1], width = imageDims[2];
    if (height == 0 || width == 0 || height > 16384 || width > 16384)
        throw Error("'" + imagesPath + "' declares images of " + std::to_string(height) + "x" +
                    std::to_string(width) + " pixels, which is not a plausible image size");
    if (count == 0)
        throw Error("'" + imagesPath + "' contains no images");
    if (labelDims[0] != count)
        throw Error("'" + imagesPath + "' has " + std::to_string(count) + " images but '" + labelsPath +
                    "' has " + std::to_string(labelDims[0]) + " labels");

    const int64_t n = options.limit >= 0 ? std::min(options.limit, count) : count;
    RawDataset raw;
    raw.pixels = torch::empty({n, 1, height, width}, torch::kUInt8);
    // All labels are read even with a limit: they are small, and the class count and range
    // check must not depend on which samples were kept.
    std::vector<unsigned char> labelBytes(std::size_t(count), 0);
    labels.read(labelBytes.data(), labelBytes.size(),
                "the labels (the header announces " + std::to_string(count) + ")");

    auto *pixels = raw.pixels.data_ptr<uint8_t>();
    const std::size_t imageBytes = std::size_t(height * width);
    constexpr int64_t Chunk = 1000;
    for (int64_t start = 0; start < n; start += Chunk) {
        const int64_t chunk = std::min(Chunk, n - start);
        images.read(pixels + start * int64_t(imageBytes), std::size_t(chunk) * imageBytes,
                    "images " + std::to_string(start) + ".." + std::to_string(start + chunk - 1) +
                        " (the header "
                        "announces " +
                        std::to_string(count) + ")");
        reportProgress(progress, start + chunk, n);
    }
    // Only when reading everything can trailing bytes be detected; they mean a wrong header.
    if (n == count) {
        if (!images.atEnd())
            throw Error("'" + imagesPath + "' has data after the " + std::to_string(count) +
                        " images its header announces: not a valid IDX file");
    }
    if (!labels.atEnd())
        throw Error("'" + labelsPath + "' has data after the " + std::to_string(count) +
                    " labels its header announces: not a valid IDX file");

    const unsigned char maxLabel =
        labelBytes.empty() ? 0 : *std::max_element(labelBytes.begin(), labelBytes.end());
    if (options.classes > 0) {
        for (std::size_t i = 0; i < labelBytes.size(); ++i)
            if (labelBytes[i] >= options.classes)
                throw Error("'" + labelsPath + "': label " + std::to_string(labelBytes[i]) + " of sample " +
                            std::to_string(i) + " is out of range for " + std::to_string(options.classes) +
                            " classes");
        raw.classes = options.classes;
    } else {
        raw.classes = int64_t(maxLabel) + 1;
    }
    raw.labels = torch::from_blob(labelBytes.data(), {count}, torch::kUInt8).narrow(0, 0, n).to(torch::kLong);
    raw.description = options.description.empty() ? "IDX " + imagesPath : options.description;
    return raw;
}

} // namespace gkp
