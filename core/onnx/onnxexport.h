#pragma once

// Pruned ONNX files: surgery on the model's own ModelProto (no protobuf in this header).

#include "export/exporter.h"

#include <string>

namespace gkp {

// True when `path` asks for an ONNX file (it ends in .onnx).
bool isOnnxOutput(const std::string &path);

// Writes the pruned ONNX model atomically: the original graph with each planned Conv rewritten
// (grouped: its grouped weight, group = G, a Gather(axis 1) in front unless it is the identity, bias
// and output order permuted, the order folded into the BatchNormalization, channel-wise ops and
// dense Convs that follow where possible, else restored by one Gather), deploy mode folding
// BatchNormalization into the Conv before it; channel plans get smaller Conv, BatchNormalization
// and Gemm initializers (not yet when a channel Pad changes); opset, IR version, other nodes and names kept; the plan
// and the tool version in metadata_props; ONNX's checker run. With options.verify the file, read
// back, must match the masked model (else gkp::Error and no file). Forms are not timed: every layer
// is grouped unless options.force_form says otherwise. Deploy files lose the gathers a dense Conv
// can compute itself: a Gather read only by a grouped layer, from a dense Conv through channel-wise
// ops, makes that Conv compute its channels in the gather's order (gather-free; with repeated rows
// only under force_form = GatherFree, else where G*m <= the Conv's channels), and a Conv loses the
// channels no Gather reads.
// The input shape the ONNX file itself takes at batch `batch`: the model's (NCHW) input shape, or
// its NHWC order for a tf2onnx-style input the reader takes as NCHW. Throws gkp::Error when the
// model was not read from an ONNX file.
Shape onnxFileInputShape(const Model &model, int64_t batch);

ExportResult exportOnnxModel(const Model &model, const Plan &plan, const std::string &path,
                             const ExportOptions &options, const ProgressFn &progress = {});

} // namespace gkp
