#include "onnx/onnxfile.h"

#include "onnx/onnxmodel.h"
#include "onnx/onnxtensor.h"
#include "util/error.h"

#include <onnx/checker.h>

#include <filesystem>
#include <fstream>
#include <optional>

namespace gkp {

namespace fs = std::filesystem;

namespace {

// Protobuf wire format, top level only: enough to tell an ONNX file from other bytes and a
// truncated one from a corrupt one.
enum class WireType { Varint = 0, Fixed64 = 1, Length = 2, Fixed32 = 5 };

// ModelProto's fields (onnx.proto): number -> wire type.
std::optional<WireType> modelField(uint64_t number)
{
    switch (number) {
    case 1: // ir_version
    case 5: // model_version
        return WireType::Varint;
    case 2:  // producer_name
    case 3:  // producer_version
    case 4:  // domain
    case 6:  // doc_string
    case 7:  // graph
    case 8:  // opset_import
    case 14: // metadata_props
    case 20: // training_info
    case 25: // functions
        return WireType::Length;
    default: return std::nullopt;
    }
}

bool readVarint(const std::string &data, std::size_t &pos, uint64_t &value)
{
    value = 0;
    for (int shift = 0; shift < 64 && pos < data.size(); shift += 7) {
        const auto byte = static_cast<unsigned char>(data[pos++]);
        value |= uint64_t(byte & 0x7f) << shift;
        if (!(byte & 0x80))
            return true;
    }
    return false;
}

enum class Walk { Valid, Foreign, Truncated };

// Walks the top-level fields of `data`. Foreign: a field ModelProto does not have (or the wrong
// wire type), `fields` counts the good ones before it. Truncated: the data ends inside a field.
Walk walkFields(const std::string &data, int *fields)
{
    std::size_t pos = 0;
    *fields = 0;
    while (pos < data.size()) {
        uint64_t tag = 0;
        if (!readVarint(data, pos, tag))
            return Walk::Truncated;
        const auto expected = modelField(tag >> 3);
        if (!expected || int(tag & 7) != int(*expected))
            return Walk::Foreign;
        uint64_t value = 0;
        if (!readVarint(data, pos, value))
            return Walk::Truncated;
        if (*expected == WireType::Length) {
            if (value > data.size() - pos)
                return Walk::Truncated;
            pos += value;
        }
        ++*fields;
    }
    return Walk::Valid;
}

std::string firstLine(std::string s)
{
    if (const auto nl = s.find('\n'); nl != std::string::npos)
        s.resize(nl);
    while (!s.empty() && (s.back() == ' ' || s.back() == ':' || s.back() == '\r'))
        s.pop_back();
    return s;
}

} // namespace

bool looksLikeOnnx(const std::string &head)
{
    // The head is a prefix of the file: running out of it inside a field is fine, as long as
    // the first field is one of ModelProto's.
    int fields = 0;
    walkFields(head, &fields);
    if (fields > 0)
        return true;
    std::size_t pos = 0;
    uint64_t tag = 0;
    if (!readVarint(head, pos, tag))
        return false;
    const auto expected = modelField(tag >> 3);
    return expected && int(tag & 7) == int(*expected);
}

int64_t onnxOpset(const onnx::ModelProto &model)
{
    for (const auto &o : model.opset_import())
        if (o.domain().empty() || o.domain() == "ai.onnx")
            return o.version();
    return 0;
}

std::unique_ptr<onnx::ModelProto> readOnnxModel(const std::string &path, const OnnxReadOptions &options)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error("cannot open '" + path + "': no such file");
    if (fs::is_directory(path, ec))
        throw Error("cannot open '" + path + "': it is a directory, not an ONNX file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open '" + path + "': permission denied or unreadable");
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (data.empty())
        throw Error("'" + path + "' is not an ONNX file: the file is empty");

    int fields = 0;
    switch (walkFields(data, &fields)) {
    case Walk::Foreign:
        if (fields == 0)
            throw Error("'" + path + "' is not an ONNX file (it does not start like a serialized ModelProto)");
        throw Error("'" + path + "' is a corrupt ONNX file: unexpected data after its first " +
                    std::to_string(fields) + " fields");
    case Walk::Truncated:
        throw Error("'" + path + "' is truncated: the ONNX protobuf ends inside a field (" +
                    std::to_string(data.size()) + " bytes read)");
    case Walk::Valid: break;
    }
    auto model = std::make_unique<onnx::ModelProto>();
    if (!model->ParseFromString(data))
        throw Error("'" + path + "' is a corrupt ONNX file: its protobuf does not parse as a ModelProto");
    std::string().swap(data); // the bytes are parsed: keep one copy of the weights
    if (!model->has_graph() || model->opset_import_size() == 0)
        throw Error("'" + path + "' is not a complete ONNX model (no " +
                    std::string(model->has_graph() ? "opset import" : "graph") + "): truncated or not an ONNX file");

    const int64_t opset = onnxOpset(*model);
    const int64_t lowest = options.legacy_opsets ? 1 : MinOnnxOpset;
    if (opset == 0)
        throw Error("'" + path + "' imports no ai.onnx opset; GKP Studio reads opsets " + std::to_string(MinOnnxOpset) +
                    " to " + std::to_string(MaxOnnxOpset));
    if (opset < lowest || opset > MaxOnnxOpset)
        throw Error("'" + path + "' uses ONNX opset " + std::to_string(opset) + "; GKP Studio reads opsets " +
                    std::to_string(MinOnnxOpset) + " to " + std::to_string(MaxOnnxOpset) +
                    (opset < lowest ? " (convert it with onnx.version_converter)" : ""));

    const std::string baseDir = fs::path(path).parent_path().string();
    checkExternalData(*model, baseDir, path);
    if (options.check) {
        try {
            // External data: from the path, so that the checker knows the model's folder (it reads
            // the file again); otherwise the parsed model.
            if (hasExternalData(*model))
                onnx::checker::check_model(path);
            else
                onnx::checker::check_model(*model);
        } catch (const std::exception &e) {
            throw Error("'" + path + "' fails the ONNX checker: " + firstLine(e.what()));
        }
    }
    return model;
}

} // namespace gkp
