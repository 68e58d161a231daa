#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gkp {

class Model;

// One place a coupled channel lives. A family's channel j is this member's channel `offset + j`.
struct ChannelMember
{
    enum class Kind {
        Producer,  // output channel (filter) of a dense conv
        Consumer,  // input channel of a conv (its weight column)
        Depthwise, // a depthwise conv the channel passes through (its filter and input channel)
        BatchNorm, // a BatchNorm channel (weight, bias, running statistics)
        Linear,    // input features of a linear layer after a flatten: `stride` features per channel
        Pad,       // a zero channel a channel padding adds (option-A shortcut): removing it shrinks the pad
    };
    Kind kind = Kind::Producer;
    int layer = -1;      // conv inventory index (Producer, Consumer, Depthwise)
    std::string name;    // module path (BatchNorm, Linear); for Pad "pad#N"
    int64_t offset = 0;  // channel of this member holding family channel 0
    int64_t stride = 1;  // Linear: features per channel
    int pad = -1;        // Pad: which channel padding (graph order); pads are listed in ChannelDependencies
    bool front = false;  // Pad: a zero channel before the padded input (else after it)
};
std::string toString(ChannelMember::Kind kind);

// Channels that can only be removed together: a conv's output channel, the BatchNorm channel after
// it, every reader's input channel and, through residual adds, elementwise products (squeeze-and-
// excitation), concats and depthwise convs, every other conv writing or reading the same channel.
// Each channel of a family is one such coupled group; the family's channels share their members.
struct ChannelFamily
{
    int index = 0;
    std::string name;     // the first producer's name (or the first member's)
    int64_t channels = 0; // coupled groups in this family
    std::vector<ChannelMember> members;
    bool residual = false; // joined by an elementwise add or product of several branches
    bool prunable = true;
    std::string reason; // why not prunable

    bool produces(int layer) const;
    bool hasProducer() const;
};

// A channel padding an option-A shortcut does (F.pad over the channel dimension): zeros before and
// after its input. Channel pruning shrinks these counts.
struct ChannelPad
{
    int index = 0;
    int64_t front = 0, back = 0;
};

struct ChannelDependencies
{
    std::vector<ChannelFamily> families;
    std::vector<ChannelPad> pads;
    std::vector<std::string> notes;

    const ChannelFamily *producedBy(int layer) const; // the family holding `layer`'s output channels
};

// Builds the coupled channel families of a model's forward graph (inlined TorchScript).
// Throws gkp::Error only for a model without a forward method.
ChannelDependencies channelDependencies(const Model &model);

} // namespace gkp
