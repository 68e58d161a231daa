#include "data/dataset.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <torch/nn/functional/vision.h>
#include <torch/torch.h>

namespace gkp {

namespace normalization {
Normalization fashionMnist()
{
    return {{0.2860f}, {0.3530f}};
}
Normalization mnist()
{
    return {{0.1307f}, {0.3081f}};
}
Normalization cifar10()
{
    return {{0.4914f, 0.4822f, 0.4465f}, {0.2470f, 0.2435f, 0.2616f}};
}
Normalization cifar100()
{
    return {{0.5071f, 0.4865f, 0.4409f}, {0.2673f, 0.2564f, 0.2762f}};
}
Normalization imagenet()
{
    return {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}};
}
Normalization identity()
{
    return {{0.0f}, {1.0f}};
}
} // namespace normalization

namespace {

std::vector<float> valuesForChannels(const std::vector<float> &values, int channels, const char *what)
{
    if (values.size() == std::size_t(channels))
        return values;
    if (values.size() == 1)
        return std::vector<float>(std::size_t(channels), values[0]);
    if (values.size() == 3 && channels == 1)
        return {std::accumulate(values.begin(), values.end(), 0.0f) / 3.0f};
    throw Error(std::string("the ") + what + " has " + std::to_string(values.size()) +
                " values but the images have " + std::to_string(channels) + " channels");
}

torch::Tensor perChannel(const std::vector<float> &values)
{
    return torch::tensor(values, torch::kFloat).view({1, -1, 1, 1});
}

torch::Tensor convertChannels(const torch::Tensor &images, int channels)
{
    const int64_t have = images.size(1);
    if (channels == 0 || have == channels)
        return images;
    if (have == 1 && channels == 3)
        return images.expand({-1, 3, -1, -1});
    if (have == 3 && channels == 1) {
        const torch::Tensor luma = torch::tensor({0.299f, 0.587f, 0.114f}).view({1, 3, 1, 1});
        return (images * luma).sum(1, /*keepdim=*/true);
    }
    throw Error("cannot convert images with " + std::to_string(have) + " channels to " +
                std::to_string(channels) + " (only 1 <-> 3 is supported)");
}

} // namespace

Normalization Normalization::forChannels(int channels) const
{
    for (float s : std)
        if (!(s > 0.0f))
            throw Error("every std value must be positive");
    return {valuesForChannels(mean, channels, "mean"), valuesForChannels(std, channels, "std")};
}

std::string Dataset::imageShape() const
{
    return std::to_string(channels()) + "x" + std::to_string(height()) + "x" + std::to_string(width());
}

std::string Dataset::summary() const
{
    std::ostringstream s;
    s << description << " (" << size() << " images " << imageShape() << ", " << classes << " classes)";
    return s.str();
}

void reportProgress(const ProgressFn &progress, int64_t done, int64_t total)
{
    if (progress && !progress(int(done), int(total)))
        throw Cancelled();
}

torch::Tensor resizeShorterSideAndCrop(const torch::Tensor &images, int height, int width)
{
    const int64_t h = images.size(2), w = images.size(3);
    if (h == height && w == width)
        return images;
    const double scale = std::max(double(height) / double(h), double(width) / double(w));
    const int64_t nh = std::max<int64_t>(height, std::llround(double(h) * scale));
    const int64_t nw = std::max<int64_t>(width, std::llround(double(w) * scale));
    namespace F = torch::nn::functional;
    const torch::Tensor resized = F::interpolate(images, F::InterpolateFuncOptions()
                                                             .size(std::vector<int64_t>{nh, nw})
                                                             .mode(torch::kBilinear)
                                                             .align_corners(false)
                                                             .antialias(scale < 1.0));
    return resized.narrow(2, (nh - height) / 2, height).narrow(3, (nw - width) / 2, width);
}

Dataset prepare(RawDataset raw, const PrepareOptions &options, const ProgressFn &progress)
{
    torch::NoGradGuard noGrad;
    const int64_t n = raw.pixels.size(0);
    const int channels = options.channels ? options.channels : int(raw.pixels.size(1));
    const int height = options.height ? options.height : int(raw.pixels.size(2));
    const int width = options.width ? options.width : int(raw.pixels.size(3));
    const Normalization norm = options.normalization.forChannels(channels);
    const torch::Tensor mean = perChannel(norm.mean), std = perChannel(norm.std);

    Dataset out;
    out.images = torch::empty({n, channels, height, width}, torch::kFloat);
    // Chunks keep the float copy of a large dataset (CIFAR train: 600 MB) from doubling memory.
    constexpr int64_t Chunk = 2048;
    for (int64_t start = 0; start < n; start += Chunk) {
        const int64_t count = std::min(Chunk, n - start);
        // Same operations, in the same order and precision, as torchvision's ToTensor + Normalize.
        torch::Tensor x = raw.pixels.narrow(0, start, count).to(torch::kFloat).div_(255.0f);
        x = resizeShorterSideAndCrop(convertChannels(x, channels), height, width);
        out.images.narrow(0, start, count).copy_((x - mean) / std);
        reportProgress(progress, start + count, n);
    }
    out.labels = std::move(raw.labels);
    out.classes = raw.classes;
    out.class_names = std::move(raw.class_names);
    out.description = std::move(raw.description);
    return out;
}

} // namespace gkp
