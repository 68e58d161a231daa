// Elementwise ops, activations, reductions, softmax, MatMul and Gemm.

#include "onnx/onnxops.h"

#include <cmath>
#include <map>

namespace gkp {

namespace {

// ONNX ops before opset 7 broadcast B onto A from `axis` when `broadcast` = 1.
std::string legacyBroadcast(OpContext &ctx, const std::string &b)
{
    if (ctx.opset() >= 7 || ctx.attrInt("broadcast", 0) == 0 || !ctx.attr("axis"))
        return b;
    const int ra = ctx.rank(0), rb = ctx.rank(1);
    if (ra < 0 || rb < 0)
        ctx.unsupported("legacy broadcast with an axis needs static ranks");
    int64_t axis = ctx.attrInt("axis", 0);
    if (axis < 0)
        axis += ra;
    const int64_t trailing = ra - axis - rb;
    if (trailing <= 0)
        return b;
    std::vector<int64_t> shape = *ctx.shape(1);
    for (int64_t i = 0; i < trailing; ++i)
        shape.push_back(1);
    return b + ".reshape(" + lit(shape) + ")";
}

void binary(OpContext &ctx, const char *fn)
{
    ctx.set(0, std::string(fn) + "(" + ctx.in(0) + ", " + legacyBroadcast(ctx, ctx.in(1)) + ")");
}

void add(OpContext &ctx) { binary(ctx, "torch.add"); }
void sub(OpContext &ctx) { binary(ctx, "torch.sub"); }
void mul(OpContext &ctx) { binary(ctx, "torch.mul"); }

void div(OpContext &ctx)
{
    const std::string a = ctx.in(0), b = legacyBroadcast(ctx, ctx.in(1));
    const auto f = ctx.floating(0);
    if (f && *f)
        ctx.set(0, "torch.div(" + a + ", " + b + ")");
    else if (f)
        ctx.set(0, "torch.div(" + a + ", " + b + ", rounding_mode=\"trunc\")");
    else
        ctx.set(0, "torch.div(" + a + ", " + b + ") if " + a + ".is_floating_point() else torch.div(" + a + ", " + b +
                       ", rounding_mode=\"trunc\")");
}

void pow(OpContext &ctx)
{
    const std::string a = ctx.in(0);
    ctx.set(0, "torch.pow(" + a + ", " + ctx.in(1) + ").to(" + a + ".dtype)");
}

void mod(OpContext &ctx)
{
    const bool fmod = ctx.attrInt("fmod", 0) != 0;
    ctx.set(0, std::string(fmod ? "torch.fmod(" : "torch.remainder(") + ctx.in(0) + ", " + ctx.in(1) + ")");
}

template <const char *Fn>
void unary(OpContext &ctx)
{
    ctx.set(0, std::string(Fn) + "(" + ctx.in(0) + ")");
}

constexpr char kRelu[] = "torch.relu", kSigmoid[] = "torch.sigmoid", kTanh[] = "torch.tanh", kExp[] = "torch.exp",
               kLog[] = "torch.log", kSqrt[] = "torch.sqrt", kNeg[] = "torch.neg", kAbs[] = "torch.abs",
               kReciprocal[] = "torch.reciprocal", kFloor[] = "torch.floor", kCeil[] = "torch.ceil",
               kRound[] = "torch.round", kSign[] = "torch.sign", kErf[] = "torch.erf", kSin[] = "torch.sin",
               kCos[] = "torch.cos", kNot[] = "torch.logical_not", kHardSwish[] = "torch.hardswish";

template <const char *Fn>
void logical(OpContext &ctx)
{
    ctx.set(0, std::string(Fn) + "(" + ctx.in(0) + ", " + ctx.in(1) + ")");
}

constexpr char kEq[] = "torch.eq", kLess[] = "torch.lt", kLessEq[] = "torch.le", kGreater[] = "torch.gt",
               kGreaterEq[] = "torch.ge", kAnd[] = "torch.logical_and", kOr[] = "torch.logical_or",
               kXor[] = "torch.logical_xor";

void leakyRelu(OpContext &ctx)
{
    ctx.set(0, "torch.leaky_relu(" + ctx.in(0) + ", " + lit(ctx.attrFloat("alpha", 0.01)) + ")");
}

void elu(OpContext &ctx)
{
    ctx.set(0, "torch.elu(" + ctx.in(0) + ", " + lit(ctx.attrFloat("alpha", 1.0)) + ")");
}

void selu(OpContext &ctx)
{
    const double alpha = ctx.attrFloat("alpha", 1.67326319217681884765625);
    const double gamma = ctx.attrFloat("gamma", 1.05070102214813232421875);
    const std::string x = ctx.in(0);
    ctx.set(0, lit(gamma) + " * torch.where(" + x + " > 0, " + x + ", " + lit(alpha) + " * (torch.exp(" + x +
                   ") - 1.0))");
}

void celu(OpContext &ctx)
{
    ctx.set(0, "torch.celu(" + ctx.in(0) + ", " + lit(ctx.attrFloat("alpha", 1.0)) + ")");
}

void softplus(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    // log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|)
    ctx.set(0, "torch.clamp_min(" + x + ", 0.0) + torch.log1p(torch.exp(-torch.abs(" + x + ")))");
}

void softsign(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    ctx.set(0, x + " / (1.0 + torch.abs(" + x + "))");
}

void thresholdedRelu(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    ctx.set(0, "torch.where(" + x + " > " + lit(ctx.attrFloat("alpha", 1.0)) + ", " + x + ", torch.zeros_like(" + x +
                   "))");
}

void hardSigmoid(OpContext &ctx)
{
    const double alpha = ctx.attrFloat("alpha", 0.2), beta = ctx.attrFloat("beta", 0.5);
    const std::string x = ctx.in(0);
    if (std::abs(alpha - 1.0 / 6.0) < 1e-7 && beta == 0.5)
        ctx.set(0, "torch.hardsigmoid(" + x + ")");
    else
        ctx.set(0, "torch.clamp(" + x + " * " + lit(alpha) + " + " + lit(beta) + ", 0.0, 1.0)");
}

void prelu(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    // torch.prelu wants a 1-D slope over channels: what a slope of shape [C, 1, ..., 1] is.
    if (const at::Tensor *s = ctx.constant(1); s && ctx.floating(0).value_or(false)) {
        const int r = ctx.rank(0);
        // (before opset 7 a 1-D slope broadcasts over the channel axis)
        bool perChannel = s->numel() == 1 || (r >= 2 && s->dim() == r - 1) || (ctx.opset() < 7 && s->dim() == 1);
        for (int64_t d = 1; perChannel && d < s->dim(); ++d)
            perChannel = s->size(d) == 1;
        if (perChannel && (s->numel() == 1 || (ctx.shape(0) && (*ctx.shape(0))[1] == s->size(0)))) {
            ctx.set(0, "torch.prelu(" + x + ", " + ctx.in(1) + ".reshape([-1]))");
            return;
        }
    }
    ctx.set(0, "torch.where(" + x + " >= 0, " + x + ", " + x + " * " + ctx.in(1) + ")");
}

void clip(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    std::optional<double> lo, hi;
    bool runtime = false;
    std::string loExpr = "None", hiExpr = "None";
    if (ctx.opset() < 11) {
        if (ctx.attr("min"))
            lo = ctx.attrFloat("min", 0.0);
        if (ctx.attr("max"))
            hi = ctx.attrFloat("max", 0.0);
    } else {
        for (int i : {1, 2}) {
            if (!ctx.has(i))
                continue;
            auto v = ctx.constDoubles(i);
            if (v && v->size() == 1)
                (i == 1 ? lo : hi) = v->front();
            else
                runtime = true, (i == 1 ? loExpr : hiExpr) = ctx.in(i);
        }
    }
    if (runtime) { // Tensor bounds
        if (lo)
            loExpr = ctx.tmp("torch.full([], " + lit(*lo) + ", dtype=" + x + ".dtype)");
        if (hi)
            hiExpr = ctx.tmp("torch.full([], " + lit(*hi) + ", dtype=" + x + ".dtype)");
        ctx.set(0, "torch.clamp(" + x + ", " + loExpr + ", " + hiExpr + ")");
        return;
    }
    const bool isFloat = ctx.floating(0).value_or(false);
    auto scalar = [&](double v) { return isFloat ? lit(v) : lit(int64_t(v)); };
    if (lo && hi && isFloat && *lo <= *hi) // hardtanh: a channel-wise op export and graph analysis know (ReLU6)
        ctx.set(0, "torch.hardtanh(" + x + ", " + lit(*lo) + ", " + lit(*hi) + ")");
    else if (lo && hi)
        ctx.set(0, "torch.clamp(" + x + ", " + scalar(*lo) + ", " + scalar(*hi) + ")");
    else if (lo)
        ctx.set(0, "torch.clamp_min(" + x + ", " + scalar(*lo) + ")");
    else if (hi)
        ctx.set(0, "torch.clamp_max(" + x + ", " + scalar(*hi) + ")");
    else
        ctx.alias(0, x);
}

void variadic(OpContext &ctx, const char *fn)
{
    std::string acc = ctx.in(0);
    for (int i = 1; i < ctx.inputs(); ++i)
        acc = ctx.tmp(std::string(fn) + "(" + acc + ", " + ctx.in(i) + ")");
    ctx.alias(0, acc);
}

void sum(OpContext &ctx) { variadic(ctx, "torch.add"); }
void max(OpContext &ctx) { variadic(ctx, "torch.maximum"); }
void min(OpContext &ctx) { variadic(ctx, "torch.minimum"); }

void mean(OpContext &ctx)
{
    std::string acc = ctx.in(0);
    for (int i = 1; i < ctx.inputs(); ++i)
        acc = ctx.tmp("torch.add(" + acc + ", " + ctx.in(i) + ")");
    ctx.set(0, "torch.div(" + acc + ", " + lit(double(ctx.inputs())) + ")");
}

void where(OpContext &ctx)
{
    ctx.set(0, "torch.where(" + ctx.in(0) + ", " + ctx.in(1) + ", " + ctx.in(2) + ")");
}

// Reductions: axes from the attribute (or, from opset 13 for ReduceSum and 18 for the others,
// the second input); none = every axis.
void reduce(OpContext &ctx, const char *fn)
{
    const std::string x = ctx.in(0);
    const bool keep = ctx.attrInt("keepdims", 1) != 0;
    const bool noop = ctx.attrInt("noop_with_empty_axes", 0) != 0;
    std::string axes;
    if (auto a = ctx.attrInts("axes")) {
        axes = lit(*a);
    } else if (ctx.has(1)) {
        if (auto c = ctx.constInts(1)) {
            if (!c->empty())
                axes = lit(*c);
        } else { // run-time axes, possibly empty
            const std::string op = std::string(fn).substr(6); // "torch.amax" -> "amax"
            ctx.set(0, ctx.useHelper("reduce") + "(" + x + ", " + ctx.intsOf(1) + ", " + litBool(keep) + ", " +
                           litBool(noop) + ", \"" + (op == "amax" ? "max" : op == "amin" ? "min" : op) + "\")");
            return;
        }
    }
    if (axes.empty()) {
        if (noop) {
            ctx.alias(0, x);
            return;
        }
        const int r = ctx.rank(0);
        if (r >= 0) {
            std::vector<int64_t> all;
            for (int64_t d = 0; d < r; ++d)
                all.push_back(d);
            axes = lit(all);
        } else {
            axes = ctx.useHelper("alldims") + "(" + x + ")";
        }
    }
    ctx.set(0, std::string(fn) + "(" + x + ", " + axes + ", " + litBool(keep) + ")");
}

void reduceMean(OpContext &ctx) { reduce(ctx, "torch.mean"); }
void reduceSum(OpContext &ctx) { reduce(ctx, "torch.sum"); }
void reduceMax(OpContext &ctx) { reduce(ctx, "torch.amax"); }
void reduceMin(OpContext &ctx) { reduce(ctx, "torch.amin"); }

void softmaxLike(OpContext &ctx, bool log)
{
    const std::string x = ctx.in(0);
    const char *fn = log ? "torch.log_softmax" : "torch.softmax";
    if (ctx.opset() >= 13) {
        ctx.set(0, std::string(fn) + "(" + x + ", " + lit(ctx.attrInt("axis", -1)) + ")");
        return;
    }
    // Before opset 13 the input is seen as 2-D: [d0 * ... * d(axis-1), d(axis) * ... ].
    int64_t axis = ctx.attrInt("axis", 1);
    const int r = ctx.rank(0);
    if (r >= 0 && axis < 0)
        axis += r;
    if (r >= 0 && axis == r - 1)
        ctx.set(0, std::string(fn) + "(" + x + ", " + lit(axis) + ")");
    else
        ctx.set(0, ctx.useHelper("softmax2d") + "(" + x + ", " + lit(axis) + ", " + litBool(log) + ")");
}

void softmax(OpContext &ctx) { softmaxLike(ctx, false); }
void logSoftmax(OpContext &ctx) { softmaxLike(ctx, true); }

void matMul(OpContext &ctx)
{
    ctx.set(0, "torch.matmul(" + ctx.in(0) + ", " + ctx.in(1) + ")");
}

void gemm(OpContext &ctx)
{
    const double alpha = ctx.attrFloat("alpha", 1.0), beta = ctx.attrFloat("beta", 1.0);
    const bool transA = ctx.attrInt("transA", 0) != 0, transB = ctx.attrInt("transB", 0) != 0;
    const std::string a = ctx.in(0);
    const at::Tensor *w = ctx.constant(1);
    const at::Tensor *c = ctx.has(2) ? ctx.constant(2) : nullptr;
    // A classifier head: y = A W^T + b with constant W and a bias per output.
    if (!transA && alpha == 1.0 && w && w->dim() == 2 && (!ctx.has(2) || (beta == 1.0 && c && c->dim() <= 2))) {
        const at::Tensor weight = transB ? *w : w->t().contiguous();
        const int64_t n = weight.size(0);
        const bool biasPerOutput = c && c->numel() == n && (c->dim() == 1 || c->size(0) == 1);
        if (!ctx.has(2) || biasPerOutput) {
            const std::string m = ctx.layerModule();
            ctx.moduleTensor("weight", weight, true);
            if (biasPerOutput)
                ctx.moduleTensor("bias", c->reshape({n}), true);
            else
                ctx.moduleNone("bias");
            ctx.set(0, "torch.linear(" + a + ", " + m + ".weight, " + m + ".bias)");
            return;
        }
    }
    std::string prod = "torch.matmul(" + (transA ? a + ".t()" : a) + ", " +
                       (transB ? ctx.in(1) + ".t()" : ctx.in(1)) + ")";
    if (alpha != 1.0)
        prod = "torch.mul(" + prod + ", " + lit(alpha) + ")";
    if (ctx.has(2)) {
        std::string bias = ctx.in(2);
        if (beta != 1.0)
            bias = "torch.mul(" + bias + ", " + lit(beta) + ")";
        prod = "torch.add(" + prod + ", " + bias + ")";
    }
    ctx.set(0, prod);
}

} // namespace

void addMathOps(OpTable &t)
{
    addOp(t, "Add", add);
    addOp(t, "Sub", sub);
    addOp(t, "Mul", mul);
    addOp(t, "Div", div);
    addOp(t, "Pow", pow);
    addOp(t, "Mod", mod);
    addOp(t, "Relu", unary<kRelu>);
    addOp(t, "Sigmoid", unary<kSigmoid>);
    addOp(t, "Tanh", unary<kTanh>);
    addOp(t, "Exp", unary<kExp>);
    addOp(t, "Log", unary<kLog>);
    addOp(t, "Sqrt", unary<kSqrt>);
    addOp(t, "Neg", unary<kNeg>);
    addOp(t, "Abs", unary<kAbs>);
    addOp(t, "Reciprocal", unary<kReciprocal>);
    addOp(t, "Floor", unary<kFloor>);
    addOp(t, "Ceil", unary<kCeil>);
    addOp(t, "Round", unary<kRound>);
    addOp(t, "Sign", unary<kSign>);
    addOp(t, "Erf", unary<kErf>);
    addOp(t, "Sin", unary<kSin>);
    addOp(t, "Cos", unary<kCos>);
    addOp(t, "Not", unary<kNot>);
    addOp(t, "HardSwish", unary<kHardSwish>);
    addOp(t, "Equal", logical<kEq>);
    addOp(t, "Less", logical<kLess>);
    addOp(t, "LessOrEqual", logical<kLessEq>);
    addOp(t, "Greater", logical<kGreater>);
    addOp(t, "GreaterOrEqual", logical<kGreaterEq>);
    addOp(t, "And", logical<kAnd>);
    addOp(t, "Or", logical<kOr>);
    addOp(t, "Xor", logical<kXor>);
    addOp(t, "LeakyRelu", leakyRelu);
    addOp(t, "Elu", elu);
    addOp(t, "Selu", selu);
    addOp(t, "Celu", celu);
    addOp(t, "Softplus", softplus);
    addOp(t, "Softsign", softsign);
    addOp(t, "ThresholdedRelu", thresholdedRelu);
    addOp(t, "HardSigmoid", hardSigmoid);
    addOp(t, "PRelu", prelu);
    addOp(t, "Clip", clip);
    addOp(t, "Sum", sum);
    addOp(t, "Max", max);
    addOp(t, "Min", min);
    addOp(t, "Mean", mean);
    addOp(t, "Where", where);
    addOp(t, "ReduceMean", reduceMean);
    addOp(t, "ReduceSum", reduceSum);
    addOp(t, "ReduceMax", reduceMax);
    addOp(t, "ReduceMin", reduceMin);
    addOp(t, "Softmax", softmax);
    addOp(t, "LogSoftmax", logSoftmax);
    addOp(t, "MatMul", matMul);
    addOp(t, "Gemm", gemm);
}

} // namespace gkp
