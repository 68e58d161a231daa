#pragma once

#include "util/error.h"

#include <cstdint>
#include <string>
#include <torch/types.h>
#include <vector>

namespace gkp {

// Per-channel normalisation applied to pixels scaled to [0, 1]: (x / 255 - mean) / std.
// One value stands for every channel.
struct Normalization
{
    std::vector<float> mean;
    std::vector<float> std;

    // The values for `channels` channels: a single value is repeated; three values become their
    // average for one channel (a grey view of a colour dataset). Throws gkp::Error otherwise.
    Normalization forChannels(int channels) const;
};

namespace normalization {
Normalization fashionMnist(); // 0.2860 / 0.3530: what the bundled demo model was trained with
Normalization mnist();        // 0.1307 / 0.3081
Normalization cifar10();      // (0.4914, 0.4822, 0.4465) / (0.2470, 0.2435, 0.2616)
Normalization cifar100();     // (0.5071, 0.4865, 0.4409) / (0.2673, 0.2564, 0.2762)
Normalization imagenet();     // (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225)
Normalization identity();     // 0 / 1: pixels / 255
} // namespace normalization

// An in-memory classification dataset, ready to feed to a model.
struct Dataset
{
    torch::Tensor images; // float32 [N, C, H, W], normalised
    torch::Tensor labels; // int64 [N], in [0, classes)
    int64_t classes = 0;
    std::vector<std::string> class_names; // folder names for image folders, else empty
    std::string description;              // "Fashion-MNIST test, /usr/share/datasets/fashion-mnist"

    int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
    int channels() const { return int(images.size(1)); }
    int height() const { return int(images.size(2)); }
    int width() const { return int(images.size(3)); }
    std::string imageShape() const; // "1x28x28"
    std::string summary() const;    // description + "(10000 images 1x28x28, 10 classes)"
};

// Raw pixels straight from a reader, before conversion to the model's input.
struct RawDataset
{
    torch::Tensor pixels; // uint8 [N, C, H, W]
    torch::Tensor labels; // int64 [N]
    int64_t classes = 0;
    std::vector<std::string> class_names;
    std::string description;
};

struct PrepareOptions
{
    int channels = 0;          // 1 or 3; 0 keeps the dataset's
    int height = 0, width = 0; // 0 keeps the dataset's size
    Normalization normalization = normalization::identity();
};

// uint8 pixels -> normalised float images: scale to [0, 1], convert channels (grey -> RGB
// repeats the plane; RGB -> grey uses the ITU-R 601 luma weights 0.299/0.587/0.114, like
// torchvision's Grayscale), resize (see resizeShorterSideAndCrop), then normalise.
// Works in chunks so memory stays bounded and progress can be reported; throws gkp::Cancelled.
Dataset prepare(RawDataset raw, const PrepareOptions &options, const ProgressFn &progress = {});

// Bilinear resize of float images [n, C, h, w] so that the shorter side matches (height or
// width, whichever needs the larger scale), then a centre crop to height x width. Antialiased
// when shrinking, like PIL and torchvision's Resize. No-op when the size already matches.
torch::Tensor resizeShorterSideAndCrop(const torch::Tensor &images, int height, int width);

// Calls progress (if any) and throws gkp::Cancelled when it asks to stop.
void reportProgress(const ProgressFn &progress, int64_t done, int64_t total);

} // namespace gkp
