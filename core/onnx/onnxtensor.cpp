#include "onnx/onnxtensor.h"

#include "util/error.h"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace gkp {

namespace fs = std::filesystem;
using onnx::TensorProto;

std::optional<c10::ScalarType> torchType(int32_t onnxType)
{
    switch (onnxType) {
    case TensorProto::FLOAT: return c10::kFloat;
    case TensorProto::UINT8: return c10::kByte;
    case TensorProto::INT8: return c10::kChar;
    case TensorProto::INT16: return c10::kShort;
    case TensorProto::INT32: return c10::kInt;
    case TensorProto::INT64: return c10::kLong;
    case TensorProto::BOOL: return c10::kBool;
    case TensorProto::FLOAT16: return c10::kHalf;
    case TensorProto::DOUBLE: return c10::kDouble;
    case TensorProto::COMPLEX64: return c10::kComplexFloat;
    case TensorProto::COMPLEX128: return c10::kComplexDouble;
    case TensorProto::BFLOAT16: return c10::kBFloat16;
    default: return std::nullopt;
    }
}

std::string onnxTypeName(int32_t onnxType)
{
    if (onnx::TensorProto_DataType_IsValid(onnxType))
        return onnx::TensorProto_DataType_Name(static_cast<TensorProto::DataType>(onnxType));
    return "type " + std::to_string(onnxType);
}

namespace {

std::string tensorLabel(const TensorProto &t)
{
    return t.name().empty() ? std::string("a tensor") : "tensor '" + t.name() + "'";
}

struct ExternalRef
{
    std::string location;
    int64_t offset = 0;
    int64_t length = -1;
};

int64_t byteCount(const TensorProto &t, const std::string &key, const std::string &value)
{
    char *end = nullptr;
    const long long v = std::strtoll(value.c_str(), &end, 10);
    if (value.empty() || *end != '\0' || v < 0)
        throw Error(tensorLabel(t) + ": external data " + key + " '" + value + "' is not a byte count");
    return v;
}

ExternalRef externalRef(const TensorProto &t)
{
    ExternalRef r;
    for (const auto &kv : t.external_data()) {
        if (kv.key() == "location")
            r.location = kv.value();
        else if (kv.key() == "offset")
            r.offset = byteCount(t, kv.key(), kv.value());
        else if (kv.key() == "length")
            r.length = byteCount(t, kv.key(), kv.value());
    }
    return r;
}

bool isExternal(const TensorProto &t)
{
    return t.has_data_location() && t.data_location() == TensorProto::EXTERNAL;
}

std::string readExternal(const TensorProto &t, const std::string &baseDir, int64_t expectedBytes)
{
    const ExternalRef r = externalRef(t);
    const fs::path file = fs::path(baseDir) / r.location;
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error(tensorLabel(t) + ": external data file '" + file.string() + "' is missing");
    const int64_t length = r.length >= 0 ? r.length : expectedBytes;
    std::string bytes(static_cast<std::size_t>(length), '\0');
    in.seekg(r.offset);
    in.read(bytes.data(), length);
    if (in.gcount() != length)
        throw Error(tensorLabel(t) + ": external data file '" + file.string() + "' is too short (" +
                    std::to_string(length) + " bytes at offset " + std::to_string(r.offset) + " expected)");
    return bytes;
}

template <typename Field>
at::Tensor fromField(const Field &field, c10::ScalarType fieldType, at::IntArrayRef sizes, c10::ScalarType type)
{
    using Elem = typename Field::value_type;
    at::Tensor flat = at::empty({int64_t(field.size())}, at::TensorOptions().dtype(fieldType));
    std::memcpy(flat.data_ptr(), field.data(), field.size() * sizeof(Elem));
    return flat.view(sizes).to(type);
}

} // namespace

at::Tensor tensorFromProto(const TensorProto &t, const std::string &baseDir)
{
    const auto type = torchType(t.data_type());
    if (!type)
        throw Error(tensorLabel(t) + " has element type " + onnxTypeName(t.data_type()) +
                    ", which LibTorch cannot hold");
    if (t.has_segment())
        throw Error(tensorLabel(t) + " is stored in segments, which GKP Studio does not read");
    std::vector<int64_t> sizes(t.dims().begin(), t.dims().end());
    int64_t count = 1;
    for (int64_t d : sizes) {
        if (d < 0)
            throw Error(tensorLabel(t) + " has a negative dimension");
        count *= d;
    }
    const auto options = at::TensorOptions().dtype(*type);
    const int64_t bytes = count * int64_t(c10::elementSize(*type));

    const bool external = isExternal(t);
    if (external || t.has_raw_data()) {
        const std::string raw = external ? readExternal(t, baseDir, bytes) : t.raw_data();
        if (int64_t(raw.size()) != bytes)
            throw Error(tensorLabel(t) + " holds " + std::to_string(raw.size()) + " bytes of data, " +
                        std::to_string(bytes) + " expected for its shape");
        at::Tensor out = at::empty(sizes, options);
        std::memcpy(out.data_ptr(), raw.data(), raw.size());
        return out;
    }

    auto checkCount = [&](int64_t have, int64_t per = 1) {
        if (have != count * per)
            throw Error(tensorLabel(t) + " holds " + std::to_string(have) + " values, " +
                        std::to_string(count * per) + " expected for its shape");
    };
    switch (t.data_type()) {
    case TensorProto::FLOAT:
        checkCount(t.float_data_size());
        return fromField(t.float_data(), c10::kFloat, sizes, c10::kFloat);
    case TensorProto::COMPLEX64: {
        checkCount(t.float_data_size(), 2);
        at::Tensor pairs = fromField(t.float_data(), c10::kFloat, {count, 2}, c10::kFloat);
        return at::view_as_complex(pairs).view(sizes).clone();
    }
    case TensorProto::DOUBLE:
        checkCount(t.double_data_size());
        return fromField(t.double_data(), c10::kDouble, sizes, c10::kDouble);
    case TensorProto::COMPLEX128: {
        checkCount(t.double_data_size(), 2);
        at::Tensor pairs = fromField(t.double_data(), c10::kDouble, {count, 2}, c10::kDouble);
        return at::view_as_complex(pairs).view(sizes).clone();
    }
    case TensorProto::INT64:
        checkCount(t.int64_data_size());
        return fromField(t.int64_data(), c10::kLong, sizes, c10::kLong);
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16: {
        // int32_data holds the 16-bit patterns.
        checkCount(t.int32_data_size());
        at::Tensor bits = fromField(t.int32_data(), c10::kInt, sizes, c10::kShort);
        return bits.view(*type).clone();
    }
    default: // INT32, INT16, INT8, UINT8, BOOL live in int32_data
        checkCount(t.int32_data_size());
        return fromField(t.int32_data(), c10::kInt, sizes, *type);
    }
}

TensorProto tensorToProto(const at::Tensor &tensor, const std::string &name)
{
    const at::Tensor t = tensor.contiguous().cpu();
    TensorProto p;
    p.set_name(name);
    int32_t type = 0;
    for (int32_t candidate = 1; candidate <= TensorProto::BFLOAT16; ++candidate)
        if (torchType(candidate) == t.scalar_type())
            type = candidate;
    if (type == 0)
        throw Error("tensor '" + name + "': no ONNX element type for " + std::string(c10::toString(t.scalar_type())));
    p.set_data_type(type);
    for (int64_t d : t.sizes())
        p.add_dims(d);
    p.set_raw_data(std::string(static_cast<const char *>(t.data_ptr()), t.numel() * t.element_size()));
    return p;
}

at::Tensor readTensorFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open '" + path + "'");
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    TensorProto t;
    if (!t.ParseFromString(bytes))
        throw Error("'" + path + "' is not a serialized ONNX TensorProto");
    return tensorFromProto(t, fs::path(path).parent_path().string());
}

namespace {

void checkExternalTensor(const TensorProto &t, const std::string &baseDir, const std::string &path)
{
    if (!isExternal(t))
        return;
    ExternalRef r;
    try {
        r = externalRef(t);
    } catch (const Error &e) {
        throw Error("'" + path + "': " + e.what());
    }
    if (r.location.empty())
        throw Error("'" + path + "': " + tensorLabel(t) + " is external but names no data file");
    const fs::path file = fs::path(baseDir) / r.location;
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        throw Error("'" + path + "': external data file '" + r.location + "' of " + tensorLabel(t) +
                    " is missing (expected at " + file.string() + ")");
    const auto size = fs::file_size(file, ec);
    if (!ec && r.length >= 0 && uint64_t(r.offset + r.length) > size)
        throw Error("'" + path + "': external data file '" + r.location + "' is too short for " + tensorLabel(t) +
                    " (" + std::to_string(size) + " bytes, data up to byte " + std::to_string(r.offset + r.length) +
                    " expected)");
}

void checkExternalGraph(const onnx::GraphProto &g, const std::string &baseDir, const std::string &path)
{
    for (const TensorProto &t : g.initializer())
        checkExternalTensor(t, baseDir, path);
    for (const onnx::NodeProto &n : g.node())
        for (const onnx::AttributeProto &a : n.attribute()) {
            if (a.has_t())
                checkExternalTensor(a.t(), baseDir, path);
            if (a.has_g())
                checkExternalGraph(a.g(), baseDir, path);
        }
}

} // namespace

bool hasExternalData(const onnx::ModelProto &model)
{
    for (const TensorProto &t : model.graph().initializer())
        if (isExternal(t))
            return true;
    for (const onnx::NodeProto &n : model.graph().node())
        for (const onnx::AttributeProto &a : n.attribute())
            if (a.has_t() && isExternal(a.t()))
                return true;
    return false;
}

void checkExternalData(const onnx::ModelProto &model, const std::string &baseDir, const std::string &path)
{
    checkExternalGraph(model.graph(), baseDir, path);
}

} // namespace gkp
