#pragma once

#include "model/channeldeps.h"
#include "model/inventory.h"
#include "util/shape.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace gkp {

// Names of the extra files this tool stores inside TorchScript archives.
namespace extra {
inline constexpr const char *InputShape = "gkp_input_shape"; // "1,3,224,224"
inline constexpr const char *Plan = "gkp_plan.json";         // the plan an exported model was made with
inline constexpr const char *Version = "gkp_version";        // tool version that wrote the archive
} // namespace extra

// The file format a model was read from. Everything downstream works on the same LibTorch module
// and inventory either way; ONNX models are translated into TorchScript when loaded.
enum class ModelFormat { TorchScript, Onnx };
std::string toString(ModelFormat format); // "torchscript", "onnx"
std::optional<ModelFormat> modelFormatFromString(const std::string &text);

struct LoadOptions
{
    std::optional<Shape> input_shape; // overrides the archive's stored shape (ONNX: the declared one)
    // false: load and check the archive only, without running it on an example input; the
    // inventory then has only input_shape/input_shape_source. For commands that run the model
    // on real data (eval), where the data decides the input shape.
    bool analyse = true;
    // Set when loading a file this tool has just written (an export being verified): a failure is
    // then the tool's own, reported under this name instead of the temporary file's.
    std::optional<std::string> written_as;
};

// A loaded model (TorchScript, or ONNX translated into TorchScript) and its convolution
// inventory. The LibTorch module stays behind a pimpl; core code that needs it includes
// "model/torchmodel.h". Model::load tells the formats apart by content (an ONNX protobuf or the
// zip archive torch.jit.save writes), not by the file name.
class Model
{
public:
    static constexpr int64_t DefaultInputShape[4] = {1, 3, 224, 224};

    // Throws gkp::Error with a one-line message on any bad input.
    static Model load(const std::string &path, const LoadOptions &options = {});

    Model(Model &&) noexcept;
    Model &operator=(Model &&) noexcept;
    ~Model();

    const std::string &path() const;
    ModelFormat format() const;
    const Inventory &inventory() const;
    // The coupled channel families of the forward graph (model/channeldeps.h), built on first use.
    const ChannelDependencies &channelDependencies() const;
        // Extra files found in the archive (only the keys in gkp::extra; ONNX: metadata_props).
    const std::map<std::string, std::string> &extraFiles() const;

    struct Impl;
    Impl &impl() const { return *m_impl; }

private:
    explicit Model(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace gkp
