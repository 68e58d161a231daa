#pragma once

// Names of ONNX layers and of the module attributes that hold them. No protobuf here: core code
// outside core/onnx (fine-tuning) uses moduleNameFor.

#include <string>

namespace gkp {

// A layer's name: its node's name, or "<OpType>_<index>" (index in graph.node) when unnamed.
std::string onnxNodeName(const std::string &name, const std::string &opType, int index);

// The attribute name of an ONNX layer's submodule in the translated TorchScript module. Names that
// are already plain identifiers (a letter first, then letters, digits, '_') stay as they are;
// others become "o_" + an escaped form ('_' -> "__", other bytes -> "_xx" in hex), so the mapping
// is one-to-one. Also escaped: names starting with "o_", TorchScript keywords and attributes every
// module has ("training", "forward").
std::string moduleNameFor(const std::string &onnxName);
// The inverse: the ONNX name moduleNameFor gave `module` for (`module` itself when it is not escaped).
std::string onnxNameFromModule(const std::string &module);

} // namespace gkp
