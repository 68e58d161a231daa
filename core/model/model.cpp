#include "model/model.h"

#include "util/error.h"
#include "model/graphanalysis.h"
#include "model/torchmodel.h"
#include "onnx/onnxmodel.h"
#include "onnx/onnxnames.h"

#include <nlohmann/json.hpp>
#include <torch/csrc/jit/serialization/import.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <unordered_set>

namespace gkp {

namespace fs = std::filesystem;

std::string briefError(const std::exception &e)
{
    std::string msg;
    if (const auto *ce = dynamic_cast<const c10::Error *>(&e))
        msg = ce->what_without_backtrace();
    else
        msg = e.what();
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' '))
        msg.pop_back();
    // TorchScript interpreter errors put the real cause ("RuntimeError: ...") on the last line,
    // after source tracebacks; other LibTorch errors put it first, before a backtrace.
    if (msg.find("Traceback of TorchScript") != std::string::npos) {
        msg = msg.substr(msg.rfind('\n') + 1);
    } else if (const auto nl = msg.find('\n'); nl != std::string::npos) {
        msg = msg.substr(0, nl);
    }
    while (!msg.empty() && (msg.back() == ' ' || msg.back() == ':'))
        msg.pop_back();
    return msg;
}

namespace {

void checkReadableArchive(const std::string &path)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error("cannot open '" + path + "': no such file");
    if (fs::is_directory(path, ec))
        throw Error("cannot open '" + path + "': it is a directory, not a TorchScript file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open '" + path + "': permission denied or unreadable");
    char magic[4] = {};
    in.read(magic, 4);
    if (in.gcount() < 4)
        throw Error("'" + path + "' is not a TorchScript archive: the file is empty or too short");
    if (static_cast<unsigned char>(magic[0]) == 0x80)
        throw Error("'" + path + "' is a pickled torch.save() file, not a TorchScript archive: "
                    "save the model with torch.jit.save(torch.jit.script(model), ...) or torch.jit.trace");
    if (std::memcmp(magic, "PK\x03\x04", 4) != 0)
        throw Error("'" + path + "' is not a TorchScript archive (expected the zip file torch.jit.save writes)");
}

// ONNX by content (a protobuf whose top-level fields are ModelProto's), or by the .onnx extension
// for files whose content is neither format (they then get ONNX's error messages).
bool isOnnxFile(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return fs::path(path).extension() == ".onnx";
    std::string head(256, '\0');
    in.read(head.data(), std::streamsize(head.size()));
    head.resize(std::size_t(in.gcount()));
    if (head.rfind("PK\x03\x04", 0) == 0)
        return false;
    return looksLikeOnnx(head) || fs::path(path).extension() == ".onnx";
}

std::string describeLoadFailure(const std::string &path, const std::string &brief)
{
    if (brief.find("central directory") != std::string::npos || brief.find("zip archive") != std::string::npos ||
        brief.find("failed reading") != std::string::npos || brief.find("file read failed") != std::string::npos)
        return "'" + path + "' is truncated or corrupt: " + brief;
    if (brief.find("constants.pkl") != std::string::npos || brief.find("code/") != std::string::npos ||
        brief.find("bytecode") != std::string::npos)
        return "'" + path + "' is a zip archive but not a TorchScript model (a torch.save() checkpoint?): " + brief;
    return "cannot load '" + path + "' as TorchScript: " + brief;
}

// An export of an ONNX model (its plan says so) has its layers in modules named after the ONNX
// layers (onnx/onnxnames.h): show the ONNX names, as the plan does.
void nameLayersOfOnnxExport(Model::Impl &impl)
{
    auto it = impl.extra_files.find(extra::Plan);
    if (it == impl.extra_files.end())
        return;
    const auto plan = nlohmann::json::parse(it->second, nullptr, /*allow_exceptions=*/false);
    if (!plan.is_object() || plan.value("model_format", std::string()) != toString(ModelFormat::Onnx))
        return;
    for (ConvLayer &l : impl.inventory.layers)
        if (!l.module.empty() && l.name == l.module)
            l.name = onnxNameFromModule(l.module);
}

} // namespace

std::string toString(ModelFormat format)
{
    return format == ModelFormat::Onnx ? "onnx" : "torchscript";
}

std::optional<ModelFormat> modelFormatFromString(const std::string &text)
{
    if (text == "onnx")
        return ModelFormat::Onnx;
    if (text == "torchscript")
        return ModelFormat::TorchScript;
    return std::nullopt;
}

Model::Model(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Model::Model(Model &&) noexcept = default;
Model &Model::operator=(Model &&) noexcept = default;
Model::~Model() = default;

const std::string &Model::path() const { return m_impl->path; }

const ChannelDependencies &Model::channelDependencies() const
{
    std::call_once(m_impl->dependencies_once, [this] {
        m_impl->dependencies = std::make_unique<ChannelDependencies>(gkp::channelDependencies(*this));
    });
    return *m_impl->dependencies;
}

ModelFormat Model::format() const { return m_impl->format; }
const Inventory &Model::inventory() const { return m_impl->inventory; }
const std::map<std::string, std::string> &Model::extraFiles() const { return m_impl->extra_files; }

void analyseModel(Model::Impl &impl, const LoadOptions &options)
{
    Inventory &inv = impl.inventory;
    at::Generator gen = at::detail::createCPUGenerator(0);
    const torch::Tensor input = torch::randn(inv.input_shape, gen);
    GraphAnalysis analysis;
    try {
        analysis = analyseGraph(impl.module, input);
    } catch (const Error &) {
        throw;
    } catch (const std::exception &e) {
        if (options.written_as)
            throw Error("internal error: the pruned model exported as '" + *options.written_as +
                        "' fails on the original's example input of shape " + formatShape(inv.input_shape) + ": " +
                        briefError(e) + " (a defect of the export for this model's graph; no file was written)");
        throw Error("'" + impl.path + "' fails on an example input of shape " + formatShape(inv.input_shape) + " (" +
                    inv.input_shape_source + "): " + briefError(e) + "; pass the right --input-shape N,C,H,W");
    }
    inv.layers = std::move(analysis.layers);
    inv.joins = std::move(analysis.joins);
    inv.notes = std::move(analysis.notes);
    impl.weights = std::move(analysis.weights);
    impl.biases = std::move(analysis.biases);

    std::unordered_set<const void *> seen;
    for (const auto &p : impl.module.parameters(/*recurse=*/true))
        if (seen.insert(p.unsafeGetTensorImpl()).second)
            inv.totals.params += p.numel();
    for (const ConvLayer &l : inv.layers) {
        inv.totals.conv_macs += l.macs;
        inv.totals.prunable += l.prunable ? 1 : 0;
    }
    inv.totals.convs = static_cast<int64_t>(inv.layers.size());
    if (inv.layers.empty())
        inv.notes.push_back("the model has no convolutions: there is nothing for GKP to prune");
}

Model Model::load(const std::string &path, const LoadOptions &options)
{
    if (isOnnxFile(path))
        return Model(loadOnnxModel(path, options));
    checkReadableArchive(path);
    auto impl = std::make_unique<Impl>();
    impl->path = path;

    torch::jit::ExtraFilesMap extra{{extra::InputShape, ""}, {extra::Plan, ""}, {extra::Version, ""}};
    try {
        impl->module = torch::jit::load(path, torch::kCPU, extra);
    } catch (const std::exception &e) {
        throw Error(describeLoadFailure(path, briefError(e)));
    }
    for (const auto &[key, value] : extra)
        if (!value.empty())
            impl->extra_files[key] = value;
    impl->module.eval();

    if (!impl->module.find_method("forward"))
        throw Error("'" + path + "' has no forward() method");
    const auto &schema = impl->module.get_method("forward").function().getSchema();
    std::size_t required = 0;
    for (std::size_t i = 1; i < schema.arguments().size(); ++i)
        if (!schema.arguments()[i].default_value())
            ++required;
    if (required != 1)
        throw Error("'" + path + "': forward() takes " + std::to_string(required) +
                    " required inputs; GKP Studio supports models with one input tensor");

    Inventory &inv = impl->inventory;
    if (options.input_shape) {
        inv.input_shape = *options.input_shape;
        inv.input_shape_source = "command line";
    } else if (auto it = impl->extra_files.find(extra::InputShape); it != impl->extra_files.end()) {
        try {
            inv.input_shape = parseShape(it->second);
        } catch (const Error &) {
            throw Error("'" + path + "' stores an invalid input shape '" + it->second + "'; pass --input-shape N,C,H,W");
        }
        inv.input_shape_source = "archive";
    } else {
        inv.input_shape.assign(std::begin(DefaultInputShape), std::end(DefaultInputShape));
        inv.input_shape_source = "default";
    }
    if (options.analyse) {
        analyseModel(*impl, options);
        nameLayersOfOnnxExport(*impl);
    }
    return Model(std::move(impl));
}

} // namespace gkp
