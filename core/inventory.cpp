#include "inventory.h"

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

} // namespace gkp
