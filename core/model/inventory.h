#pragma once

#include "util/shape.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gkp {

enum class ConvKind { Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d };
std::string toString(ConvKind kind);

// How a convolution's input is produced, seen through channel-wise ops (BatchNorm, activations,
// pooling, dropout, ...): straight from one conv, from an elementwise join of several (residual
// add, SE multiply), from a channel concat, from the network input, or from something that mixes
// channels in another way (flatten, linear, reshape, shuffle...).
enum class InputSource { NetworkInput, Conv, Add, Concat, Other };
std::string toString(InputSource source);

struct ConvLayer
{
    int index = 0;       // execution order
    std::string name;    // PyTorch named_modules() path, e.g. "layer1.0.conv1"; ONNX: the Conv node's name
    std::string module;  // path of the conv's module in the LibTorch module (for TorchScript models the
                         // name without a "#2" suffix; empty when the weight is not a module attribute)
    ConvKind kind = ConvKind::Conv2d;
    int64_t in_channels = 0;
    int64_t out_channels = 0;
    Shape kernel, stride, padding, dilation;
    int64_t groups = 1;
    bool has_bias = false;
    Shape input_shape, output_shape; // as seen on the example input
    int64_t params = 0;              // weight + bias elements
    int64_t macs = 0;                // multiply-adds per image
    bool prunable = false;
    std::string reason; // why not prunable; empty when prunable
    bool excluded_by_default = false; // reads the network input (stem)
    InputSource input_source = InputSource::Other;
    std::vector<int> producers; // convs whose output reaches this input through channel-wise ops, adds, concats
    std::vector<int> consumers; // the inverse relation
    int times_called = 1;
};

// A place where conv outputs meet: an elementwise add/mul (channels must stay aligned) or a
// concat along channels (each operand keeps its own slice).
struct Join
{
    enum class Kind { Add, Concat } kind = Kind::Add;
    std::vector<std::vector<int>> operands; // conv indices feeding each operand
};

struct Totals
{
    int64_t conv_macs = 0;
    int64_t params = 0; // every parameter of the model, not just convs
    int64_t convs = 0;
    int64_t prunable = 0;
};

struct Inventory
{
    Shape input_shape;
    std::string input_shape_source; // "command line", "archive", "default"
    std::vector<ConvLayer> layers;
    std::vector<Join> joins;
    Totals totals;
    std::vector<std::string> notes; // things the user should know (no convs, unused convs, ...)

    const ConvLayer *find(const std::string &name) const;
};

// The dense 2-D conv whose output only `layer` reads (straight, through channel-wise ops), or -1.
// When `layer` keeps the same input channels for every filter (G = 1), a deploy export removes the
// other channels from this producer and the gather before `layer` disappears.
int soleProducer(const Inventory &inventory, int layer);
// The inverse: the layer for which `layer` is the sole producer, or -1.
int soleConsumer(const Inventory &inventory, int layer);

} // namespace gkp
