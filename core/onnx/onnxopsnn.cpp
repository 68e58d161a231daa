// Convolutions, normalisation, pooling, padding, resizing, dropout.

#include "onnx/onnxops.h"

#include <algorithm>
#include <cmath>

namespace gkp {

namespace {

std::vector<int64_t> orDefault(const std::optional<std::vector<int64_t>> &v, std::size_t n, int64_t fallback)
{
    if (v && !v->empty())
        return *v;
    return std::vector<int64_t>(n, fallback);
}

// Padding of a conv or pool: ONNX pads (begins, then ends) for explicit and VALID padding, or a
// SAME_* padding computed from the static input shape when known.
struct Padding
{
    std::vector<int64_t> pads; // ONNX order; empty when only known at run time (same_upper/lower)
    bool same = false, upper = true;
};

Padding padding(OpContext &ctx, const std::vector<int64_t> &kernel, const std::vector<int64_t> &strides,
                const std::vector<int64_t> &dilations)
{
    const std::size_t n = kernel.size();
    const std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
    Padding p;
    if (autoPad == "NOTSET" || autoPad.empty()) {
        p.pads = orDefault(ctx.attrInts("pads"), 2 * n, 0);
        if (p.pads.size() != 2 * n)
            ctx.unsupported("pads has " + std::to_string(p.pads.size()) + " entries for " + std::to_string(n) +
                            " spatial axes");
        return p;
    }
    if (autoPad == "VALID") {
        p.pads.assign(2 * n, 0);
        return p;
    }
    if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
        ctx.unsupported("auto_pad '" + autoPad + "'");
    p.same = true;
    p.upper = autoPad == "SAME_UPPER";
    const auto shape = ctx.shape(0);
    if (!shape || shape->size() != n + 2)
        return p;
    std::vector<int64_t> pads(2 * n);
    for (std::size_t d = 0; d < n; ++d) {
        const int64_t in = (*shape)[d + 2];
        if (in < 0)
            return p; // unknown: computed at run time
        const int64_t out = (in + strides[d] - 1) / strides[d];
        const int64_t total = std::max<int64_t>((out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - in, 0);
        const int64_t small = total / 2;
        pads[d] = p.upper ? small : total - small;
        pads[d + n] = p.upper ? total - small : small;
    }
    p.pads = pads;
    return p;
}

bool symmetric(const std::vector<int64_t> &pads)
{
    const std::size_t n = pads.size() / 2;
    for (std::size_t d = 0; d < n; ++d)
        if (pads[d] != pads[d + n])
            return false;
    return true;
}

// The input padded ahead of an op that pads symmetrically only: `x` itself when `pads` can go to the
// op (then `opPads` gets them), else constant_pad_nd(x, ...) and zero `opPads`.
std::string prePad(OpContext &ctx, const std::string &x, const Padding &p, std::size_t n, const std::string &value,
                   const std::vector<int64_t> &kernel, const std::vector<int64_t> &strides,
                   const std::vector<int64_t> &dilations, std::vector<int64_t> &opPads, bool allowSymmetric = true)
{
    opPads.assign(n, 0);
    if (p.pads.empty()) { // SAME padding, input size known at run time only
        return ctx.tmp("torch.constant_pad_nd(" + x + ", " + ctx.useHelper("same_pads") + "(" + x + ", " + lit(kernel) +
                       ", " + lit(strides) + ", " + lit(dilations) + ", " + litBool(p.upper) + "), " + value + ")");
    }
    if (allowSymmetric && symmetric(p.pads)) {
        opPads.assign(p.pads.begin(), p.pads.begin() + long(n));
        return x;
    }
    const std::vector<int64_t> tp = torchPads(p.pads);
    if (tp.empty())
        return x;
    return ctx.tmp("torch.constant_pad_nd(" + x + ", " + lit(tp) + ", " + value + ")");
}

// A Conv or ConvTranspose weight (input 1) and bias (input 2) as the op's arguments. A constant
// weight makes the node a layer: weight and bias in its own submodule, as nn.Conv2d holds them.
std::pair<std::string, std::string> convWeights(OpContext &ctx, const at::Tensor *w)
{
    if (!w)
        return {ctx.in(1), ctx.has(2) ? ctx.in(2) : std::string("None")};
    const std::string m = ctx.layerModule();
    ctx.moduleTensor("weight", *w, true);
    const at::Tensor *b = ctx.has(2) ? ctx.constant(2) : nullptr;
    if (b)
        ctx.moduleTensor("bias", *b, true);
    else
        ctx.moduleNone("bias");
    ctx.markLayer();
    return {m + ".weight", b || !ctx.has(2) ? m + ".bias" : ctx.in(2)};
}

void conv(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    const at::Tensor *w = ctx.constant(1);
    int n = w ? int(w->dim()) - 2 : ctx.rank(1) - 2;
    if (n < 0 && ctx.rank(0) >= 3)
        n = ctx.rank(0) - 2;
    std::vector<int64_t> kernel;
    if (auto k = ctx.attrInts("kernel_shape"))
        kernel = *k;
    else if (w)
        kernel.assign(w->sizes().begin() + 2, w->sizes().end());
    else if (auto s = ctx.shape(1); s && s->size() >= 3)
        kernel.assign(s->begin() + 2, s->end());
    if (n < 1 || n > 3 || kernel.size() != std::size_t(n))
        ctx.unsupported(n < 1 ? "the kernel size is unknown (weight shape not static)"
                              : std::to_string(n) + "-D convolution");
    const auto strides = orDefault(ctx.attrInts("strides"), n, 1);
    const auto dilations = orDefault(ctx.attrInts("dilations"), n, 1);
    const int64_t group = ctx.attrInt("group", 1);
    std::vector<int64_t> pads;
    const std::string input = prePad(ctx, x, padding(ctx, kernel, strides, dilations), n, "0.0", kernel, strides,
                                     dilations, pads);
    const auto [weight, bias] = convWeights(ctx, w);
    ctx.set(0, "torch.conv" + std::to_string(n) + "d(" + input + ", " + weight + ", " + bias + ", " + lit(strides) +
                   ", " + lit(pads) + ", " + lit(dilations) + ", " + lit(group) + ")");
}

void convTranspose(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    const at::Tensor *w = ctx.constant(1);
    const int n = w ? int(w->dim()) - 2 : ctx.rank(1) - 2;
    if (n < 1 || n > 3)
        ctx.unsupported(n < 1 ? "the kernel size is unknown (weight shape not static)"
                              : std::to_string(n) + "-D transposed convolution");
    std::vector<int64_t> kernel;
    if (auto k = ctx.attrInts("kernel_shape"))
        kernel = *k;
    else if (w)
        kernel.assign(w->sizes().begin() + 2, w->sizes().end());
    else if (const auto s = ctx.shape(1))
        kernel.assign(s->begin() + 2, s->end());
    const auto strides = orDefault(ctx.attrInts("strides"), n, 1);
    const auto dilations = orDefault(ctx.attrInts("dilations"), n, 1);
    auto outPad = orDefault(ctx.attrInts("output_padding"), n, 0);
    const int64_t group = ctx.attrInt("group", 1);
    const std::string autoPad = ctx.attrString("auto_pad", "NOTSET");
    std::vector<int64_t> pads = orDefault(ctx.attrInts("pads"), 2 * n, 0);
    const auto outputShape = ctx.attrInts("output_shape");
    if (outputShape || autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
        // total padding = stride * (in - 1) + output_padding + (k - 1) * d + 1 - out
        const auto shape = ctx.shape(0);
        if (!shape || int(shape->size()) != n + 2)
            ctx.unsupported("output_shape / SAME padding needs a static input shape");
        for (int d = 0; d < n; ++d) {
            const int64_t in = (*shape)[std::size_t(d) + 2];
            if (in < 0)
                ctx.unsupported("output_shape / SAME padding needs a static input shape");
            const int64_t out = outputShape ? (*outputShape)[outputShape->size() - n + d] : in * strides[d];
            const int64_t total = strides[d] * (in - 1) + outPad[d] + (kernel[d] - 1) * dilations[d] + 1 - out;
            if (total < 0) { // the output is bigger than the full transposed conv: extra output padding
                outPad[d] -= total;
                pads[d] = pads[d + n] = 0;
                continue;
            }
            const bool upper = autoPad != "SAME_LOWER";
            pads[d] = upper ? total / 2 : total - total / 2;
            pads[d + n] = total - pads[d];
        }
    }
    const auto [weight, bias] = convWeights(ctx, w);
    // Symmetric part of the padding goes to the op, the rest is cropped from the end (or start).
    std::vector<int64_t> common(n);
    bool crop = false;
    for (int d = 0; d < n; ++d) {
        common[d] = std::min(pads[d], pads[d + n]);
        crop = crop || pads[d] != pads[d + n];
    }
    const std::string y = "torch.conv_transpose" + std::to_string(n) + "d(" + x + ", " + weight + ", " + bias + ", " +
                          lit(strides) + ", " + lit(common) + ", " + lit(outPad) + ", " + lit(group) + ", " +
                          lit(dilations) + ")";
    if (!crop) {
        ctx.set(0, y);
        return;
    }
    std::string v = ctx.tmp(y);
    for (int d = 0; d < n; ++d) {
        const int64_t begin = pads[d] - common[d], end = pads[d + n] - common[d];
        if (begin == 0 && end == 0)
            continue;
        v = ctx.tmp("torch.slice(" + v + ", " + lit(int64_t(d + 2)) + ", " + lit(begin) + ", " +
                    (end ? lit(-end) : std::string("9223372036854775807")) + ", 1)");
    }
    ctx.alias(0, v);
}

void batchNorm(OpContext &ctx)
{
    if (ctx.attrInt("training_mode", 0) != 0)
        ctx.unsupported("training-mode BatchNormalization (batch statistics, running-statistic outputs)");
    for (int o = 1; o < ctx.outputs(); ++o)
        if (ctx.wants(o))
            ctx.unsupported("training-mode BatchNormalization outputs (mean, var, saved statistics)");
    if (ctx.opset() < 9 && ctx.attrInt("spatial", 1) == 0)
        ctx.unsupported("BatchNormalization with spatial = 0");
    if (ctx.opset() < 7 && ctx.attrInt("is_test", 0) == 0)
        ctx.unsupported("training-mode BatchNormalization (is_test = 0)");
    const double eps = ctx.attrFloat("epsilon", 1e-5);
    // ONNX: running = running * momentum + batch * (1 - momentum); PyTorch's momentum is the other factor.
    const double momentum = 1.0 - ctx.attrFloat("momentum", 0.9);
    const std::string x = ctx.in(0);
    bool constant = true;
    for (int i = 1; i <= 4; ++i)
        constant = constant && ctx.constant(i) && ctx.constant(i)->is_floating_point();
    if (constant) { // a BatchNorm module: recalibration and BatchNorm folding find it
        const std::string m = ctx.layerModule();
        ctx.moduleTensor("weight", *ctx.constant(1), true);
        ctx.moduleTensor("bias", *ctx.constant(2), true);
        ctx.moduleTensor("running_mean", ctx.constant(3)->clone(), false);
        ctx.moduleTensor("running_var", ctx.constant(4)->clone(), false);
        ctx.set(0, "torch.batch_norm(" + x + ", " + m + ".weight, " + m + ".bias, " + m + ".running_mean, " + m +
                       ".running_var, " + m + ".training, " + lit(momentum) + ", " + lit(eps) + ", False)");
        return;
    }
    ctx.set(0, "torch.batch_norm(" + x + ", " + ctx.in(1) + ", " + ctx.in(2) + ", " + ctx.in(3) + ", " + ctx.in(4) +
                   ", False, " + lit(momentum) + ", " + lit(eps) + ", False)");
}

void instanceNorm(OpContext &ctx)
{
    ctx.set(0, "torch.instance_norm(" + ctx.in(0) + ", " + ctx.in(1) + ", " + ctx.in(2) + ", None, None, True, 0.0, " +
                   lit(ctx.attrFloat("epsilon", 1e-5)) + ", False)");
}

int spatialRank(OpContext &ctx, const std::vector<int64_t> &kernel)
{
    const int n = int(kernel.size());
    if (n < 1 || n > 3)
        ctx.unsupported(std::to_string(n) + "-D pooling");
    return n;
}

void maxPool(OpContext &ctx)
{
    if (ctx.wants(1))
        ctx.unsupported("the Indices output of MaxPool");
    if (ctx.attrInt("storage_order", 0) != 0)
        ctx.unsupported("storage_order = 1");
    const auto kernel = ctx.attrInts("kernel_shape").value_or(std::vector<int64_t>{});
    const int n = spatialRank(ctx, kernel);
    const auto strides = orDefault(ctx.attrInts("strides"), n, 1);
    const auto dilations = orDefault(ctx.attrInts("dilations"), n, 1);
    const bool ceil = ctx.attrInt("ceil_mode", 0) != 0;
    const Padding p = padding(ctx, kernel, strides, dilations);
    // PyTorch pads symmetrically and at most half the (dilated) kernel.
    bool native = !p.pads.empty() && symmetric(p.pads);
    for (int d = 0; native && d < n; ++d)
        native = p.pads[d] * 2 <= (kernel[d] - 1) * dilations[d] + 1 && p.pads[d] * 2 <= kernel[d];
    std::vector<int64_t> pads;
    // LibTorch pools floating-point tensors only; the maximum of integers survives a round trip
    const bool isFloat = ctx.floating(0).value_or(true);
    const std::string in = isFloat ? ctx.in(0) : ctx.tmp(ctx.in(0) + ".double()");
    const std::string x = prePad(ctx, in, p, n, "float(\"-inf\")", kernel, strides, dilations, pads, native);
    const std::string y = "torch.max_pool" + std::to_string(n) + "d(" + x + ", " + lit(kernel) + ", " + lit(strides) +
                          ", " + lit(pads) + ", " + lit(dilations) + ", " + litBool(ceil) + ")";
    ctx.set(0, isFloat ? y : y + ".to(" + ctx.in(0) + ".dtype)");
}

void averagePool(OpContext &ctx)
{
    const auto kernel = ctx.attrInts("kernel_shape").value_or(std::vector<int64_t>{});
    const int n = spatialRank(ctx, kernel);
    const auto strides = orDefault(ctx.attrInts("strides"), n, 1);
    const std::vector<int64_t> dilations(n, 1);
    if (auto d = ctx.attrInts("dilations"); d && *d != dilations)
        ctx.unsupported("dilated AveragePool");
    const bool ceil = ctx.attrInt("ceil_mode", 0) != 0;
    const bool countPad = ctx.attrInt("count_include_pad", 0) != 0;
    const Padding p = padding(ctx, kernel, strides, dilations);
    bool native = !p.pads.empty() && symmetric(p.pads);
    for (int d = 0; native && d < n; ++d)
        native = p.pads[d] * 2 <= kernel[d];
    const std::string fn = "torch.avg_pool" + std::to_string(n) + "d(";
    auto pool = [&](const std::string &x, const std::vector<int64_t> &pads, bool include) {
        std::string s = fn + x + ", " + lit(kernel) + ", " + lit(strides) + ", " + lit(pads) + ", " + litBool(ceil) +
                        ", " + litBool(include);
        return s + (n == 1 ? ")" : ", None)");
    };
    std::vector<int64_t> pads;
    const std::string x = ctx.in(0);
    const std::string padded = prePad(ctx, x, p, n, "0.0", kernel, strides, dilations, pads, native);
    if (padded == x || countPad) {
        ctx.set(0, pool(padded, pads, countPad));
        return;
    }
    // Padded by hand without counting the padding: divide by the pooled share of real elements.
    const std::string ones = ctx.tmp("torch.ones_like(" + x + ")");
    std::vector<int64_t> unused;
    const std::string mask = prePad(ctx, ones, p, n, "0.0", kernel, strides, dilations, unused, false);
    ctx.set(0, "torch.div(" + pool(padded, pads, true) + ", " + pool(mask, pads, true) + ")");
}

void globalPool(OpContext &ctx, bool average)
{
    const std::string x = ctx.in(0);
    const int r = ctx.rank(0);
    if (average && r >= 3 && r <= 5) { // adaptive pooling: a channel-wise op for graph analysis
        ctx.set(0, "torch.adaptive_avg_pool" + std::to_string(r - 2) + "d(" + x + ", " +
                       lit(std::vector<int64_t>(std::size_t(r - 2), 1)) + ")");
        return;
    }
    std::string axes;
    if (r >= 0) {
        std::vector<int64_t> all;
        for (int64_t d = 2; d < r; ++d)
            all.push_back(d);
        axes = lit(all);
    } else {
        axes = "list(range(2, " + x + ".dim()))";
    }
    ctx.set(0, std::string(average ? "torch.mean(" : "torch.amax(") + x + ", " + axes + ", True)");
}

void globalAveragePool(OpContext &ctx) { globalPool(ctx, true); }
void globalMaxPool(OpContext &ctx) { globalPool(ctx, false); }

void pad(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    const std::string mode = ctx.attrString("mode", "constant");
    std::optional<std::vector<int64_t>> pads;
    std::string value = "0.0";
    const bool isFloat = ctx.floating(0).value_or(true);
    if (ctx.opset() < 11) {
        pads = ctx.attrInts("pads");
        if (!pads)
            pads = ctx.attrInts("paddings");
        value = lit(ctx.attrFloat("value", 0.0));
    } else {
        pads = ctx.constInts(1);
        if (ctx.has(2)) {
            if (auto v = ctx.constDoubles(2); v && v->size() == 1)
                value = lit(v->front());
            else
                value = "float(" + ctx.in(2) + ".item())";
        }
        if (ctx.has(3))
            ctx.unsupported("the axes input of Pad");
    }
    if (!isFloat && value.find('.') != std::string::npos && value.find("item") == std::string::npos)
        value = lit(int64_t(std::stod(value)));
    if (mode != "constant" && mode != "reflect" && mode != "edge")
        ctx.unsupported("pad mode '" + mode + "'");
    if (!pads) { // run-time pads
        const std::string v = value.find('.') == std::string::npos && value.find("item") == std::string::npos
                                  ? "float(" + value + ")"
                                  : value;
        ctx.set(0, ctx.useHelper("pad") + "(" + x + ", " + ctx.intsOf(1) + ", \"" + mode + "\", " + v + ")");
        return;
    }
    const std::vector<int64_t> tp = torchPads(*pads);
    if (tp.empty()) {
        ctx.alias(0, x);
        return;
    }
    if (mode == "constant") {
        ctx.set(0, "torch.constant_pad_nd(" + x + ", " + lit(tp) + ", " + value + ")");
        return;
    }
    const int r = ctx.rank(0);
    const int axes = int(tp.size() / 2);
    // reflection/replication pads exist for the last 1-3 axes of a batched (or unbatched) input
    if (axes > 3 || (r >= 0 && axes > r - 1))
        ctx.unsupported(mode + " padding of " + std::to_string(axes) + " axes of a rank-" + std::to_string(r) +
                        " tensor");
    const std::string fn = (mode == "reflect" ? "torch.reflection_pad" : "torch.replication_pad") +
                           std::to_string(axes) + "d(";
    if (ctx.floating(0).value_or(true))
        ctx.set(0, fn + x + ", " + lit(tp) + ")");
    else // floating-point tensors only in LibTorch
        ctx.set(0, fn + x + ".double(), " + lit(tp) + ").to(" + x + ".dtype)");
}

void resize(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    const bool upsample = ctx.node().op_type() == "Upsample";
    const std::string mode = ctx.attrString("mode", "nearest");
    std::string coord = upsample || ctx.opset() < 11 ? "asymmetric"
                                                     : ctx.attrString("coordinate_transformation_mode", "half_pixel");
    std::string rounding = upsample || ctx.opset() < 11 ? "floor" : ctx.attrString("nearest_mode", "round_prefer_floor");
    if (mode != "nearest" && mode != "linear" && mode != "bilinear")
        ctx.unsupported("Resize mode '" + mode + "' (nearest and linear are supported)");
    if (coord == "tf_crop_and_resize")
        ctx.unsupported("coordinate_transformation_mode 'tf_crop_and_resize'");
    if (mode != "nearest" && coord == "tf_half_pixel_for_nn")
        ctx.unsupported("tf_half_pixel_for_nn with linear mode");

    // Scales and sizes: attribute (Upsample-7), input 1 (Upsample-9, Resize-10), inputs 2 and 3 (Resize-11+).
    std::optional<std::vector<double>> scales;
    std::optional<std::vector<int64_t>> sizes;
    std::string scalesExpr, sizesExpr;
    int scalesInput = -1, sizesInput = -1;
    if (upsample && ctx.opset() < 9)
        scales = ctx.attrFloats("scales");
    else if (upsample || ctx.opset() < 11)
        scalesInput = 1;
    else
        scalesInput = 2, sizesInput = 3;
    if (scalesInput >= 0 && ctx.has(scalesInput)) {
        if (auto s = ctx.constDoubles(scalesInput)) {
            if (!s->empty())
                scales = *s;
        } else {
            scalesExpr = ctx.useHelper("floats") + "(" + ctx.in(scalesInput) + ")";
        }
    }
    if (sizesInput >= 0 && ctx.has(sizesInput)) {
        if (auto s = ctx.constInts(sizesInput)) {
            if (!s->empty())
                sizes = *s;
        } else {
            sizesExpr = ctx.intsOf(sizesInput);
        }
    }
    if (ctx.opset() >= 18 && (ctx.attr("axes") || ctx.attr("keep_aspect_ratio_policy")))
        ctx.unsupported("Resize axes / keep_aspect_ratio_policy");
    const std::string scalesArg = scales ? lit(*scales) : scalesExpr.empty() ? "[]" : scalesExpr;
    const std::string sizesArg = sizes ? lit(*sizes) : sizesExpr.empty() ? "[]" : sizesExpr;
    if (scalesArg == "[]" && sizesArg == "[]")
        ctx.unsupported("Resize without scales or sizes");
    if (scales) {
        for (std::size_t d = 0; d < std::min<std::size_t>(2, scales->size()); ++d)
            if ((*scales)[d] != 1.0 && ctx.rank(0) >= 3)
                ctx.unsupported("resizing the batch or channel axis");
    }

    // Native 2-D upsampling where the coordinates match PyTorch's: graph analysis sees a
    // channel-wise op. Otherwise the per-axis helpers compute ONNX's coordinates exactly.
    const int r = ctx.rank(0);
    const bool knownSpatial = (scales && scales->size() == 4) || (sizes && sizes->size() == 4);
    if (r == 4 && knownSpatial) {
        const std::string outSize = sizes ? lit(std::vector<int64_t>{(*sizes)[2], (*sizes)[3]}) : "None";
        const std::string factors = scales ? lit(std::vector<double>{(*scales)[2], (*scales)[3]}) : "None";
        if (mode == "nearest" && coord == "asymmetric" && rounding == "floor") {
            ctx.set(0, "torch.upsample_nearest2d(" + x + ", " + outSize + ", " + factors + ")");
            return;
        }
        bool bigger = true; // pytorch_half_pixel differs from PyTorch for outputs of size 1
        if (auto s = ctx.outputShape(0); s && s->size() == 4)
            bigger = (*s)[2] > 1 && (*s)[3] > 1;
        else
            bigger = false;
        // align_corners divides by the unrounded output length when scales are given (ONNX)
        if (mode != "nearest" && (coord == "half_pixel" || (coord == "pytorch_half_pixel" && bigger) ||
                                  (coord == "align_corners" && sizes))) {
            ctx.set(0, "torch.upsample_bilinear2d(" + x + ", " + outSize + ", " + litBool(coord == "align_corners") +
                           ", " + factors + ")");
            return;
        }
    }
    if (mode == "nearest")
        ctx.set(0, ctx.useHelper("resize_nearest") + "(" + x + ", " + scalesArg + ", " + sizesArg + ", \"" + coord +
                       "\", \"" + rounding + "\")");
    else
        ctx.set(0, ctx.useHelper("resize_linear") + "(" + x + ", " + scalesArg + ", " + sizesArg + ", \"" + coord +
                       "\")");
}

void dropout(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    bool training = false;
    if (ctx.opset() >= 12 && ctx.has(2)) {
        const auto t = ctx.constInts(2);
        if (!t)
            ctx.unsupported("a run-time training_mode input");
        training = !t->empty() && t->front() != 0;
    } else if (ctx.opset() < 7) {
        training = ctx.attrInt("is_test", 0) == 0;
    }
    if (training)
        ctx.unsupported("training-mode Dropout (random)");
    ctx.alias(0, x);
    if (ctx.wants(1))
        ctx.set(1, "torch.ones_like(" + x + ", dtype=11)");
}

} // namespace

void addNnOps(OpTable &t)
{
    addOp(t, "Conv", conv);
    addOp(t, "ConvTranspose", convTranspose);
    addOp(t, "BatchNormalization", batchNorm);
    addOp(t, "InstanceNormalization", instanceNorm);
    addOp(t, "MaxPool", maxPool);
    addOp(t, "AveragePool", averagePool);
    addOp(t, "GlobalAveragePool", globalAveragePool);
    addOp(t, "GlobalMaxPool", globalMaxPool);
    addOp(t, "Pad", pad);
    addOp(t, "Resize", resize);
    addOp(t, "Upsample", resize);
    addOp(t, "Dropout", dropout);
}

} // namespace gkp
