#include "model/inventory.h"

namespace gkp {

std::string toString(ConvKind kind)
{
    switch (kind) {
    case ConvKind::Conv1d: return "Conv1d";
    case ConvKind::Conv2d: return "Conv2d";
    case ConvKind::Conv3d: return "Conv3d";
    case ConvKind::ConvTranspose1d: return "ConvTranspose1d";
    case ConvKind::ConvTranspose2d: return "ConvTranspose2d";
    case ConvKind::ConvTranspose3d: return "ConvTranspose3d";
    }
    return "?";
}

std::string toString(InputSource source)
{
    switch (source) {
    case InputSource::NetworkInput: return "network_input";
    case InputSource::Conv: return "conv";
    case InputSource::Add: return "add";
    case InputSource::Concat: return "concat";
    case InputSource::Other: return "other";
    }
    return "?";
}

const ConvLayer *Inventory::find(const std::string &name) const
{
    for (const ConvLayer &l : layers)
        if (l.name == name)
            return &l;
    return nullptr;
}

int soleProducer(const Inventory &inventory, int layer)
{
    const ConvLayer &l = inventory.layers.at(std::size_t(layer));
    if (l.input_source != InputSource::Conv || l.producers.size() != 1 || l.times_called != 1)
        return -1;
    const ConvLayer &p = inventory.layers.at(std::size_t(l.producers[0]));
    const bool dense2d = p.kind == ConvKind::Conv2d && p.groups == 1 && p.times_called == 1;
    return dense2d && p.consumers == std::vector<int>{layer} ? l.producers[0] : -1;
}

int soleConsumer(const Inventory &inventory, int layer)
{
    const ConvLayer &p = inventory.layers.at(std::size_t(layer));
    return p.consumers.size() == 1 && soleProducer(inventory, p.consumers[0]) == layer ? p.consumers[0] : -1;
}

} // namespace gkp
