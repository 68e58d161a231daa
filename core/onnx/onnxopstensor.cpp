// Shape and layout ops: Shape, Reshape, Flatten, (Un)Squeeze, Concat, Split, Slice, Gather,
// Transpose, Cast, Constant(OfShape), Expand, Tile, Range, Identity.

#include "onnx/onnxops.h"

#include <limits>

namespace gkp {

namespace {

void identity(OpContext &ctx)
{
    ctx.alias(0, ctx.in(0));
}

void constant(OpContext &ctx)
{
    // Constants are computed at translation time (onnxtranslator.cpp) and never reach here.
    ctx.unsupported("internal: Constant emitted at run time");
}

void shape(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    const int64_t start = ctx.attrInt("start", 0);
    const auto end = ctx.attr("end");
    if (start == 0 && !end)
        ctx.set(0, "torch.tensor(" + x + ".size(), dtype=4)");
    else
        ctx.set(0, "torch.tensor(" + x + ".size()[" + lit(start) + ":" + (end ? lit(int64_t(end->i())) : "") +
                       "], dtype=4)");
}

void size(OpContext &ctx)
{
    ctx.set(0, "torch.tensor(" + ctx.in(0) + ".numel(), dtype=4)");
}

void reshape(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    const bool allowZero = ctx.attrInt("allowzero", 0) != 0;
    std::optional<std::vector<int64_t>> shape = ctx.opset() < 5 ? ctx.attrInts("shape") : ctx.constInts(1);
    if (shape) {
        bool zero = false;
        for (int64_t d : *shape)
            zero = zero || d == 0;
        if (!zero || allowZero) {
            ctx.set(0, x + ".reshape(" + lit(*shape) + ")");
            return;
        }
        ctx.set(0, ctx.useHelper("reshape") + "(" + x + ", " + lit(*shape) + ", False)");
        return;
    }
    ctx.set(0, ctx.useHelper("reshape") + "(" + x + ", " + ctx.intsOf(1) + ", " + litBool(allowZero) + ")");
}

void flatten(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    const int64_t axis = ctx.attrInt("axis", 1);
    if (axis == 1 && ctx.rank(0) >= 2)
        ctx.set(0, "torch.flatten(" + x + ", 1)");
    else
        ctx.set(0, ctx.useHelper("flatten") + "(" + x + ", " + lit(axis) + ")");
}

// Axes from the attribute (before opset 13) or the second input.
std::optional<std::string> axesOf(OpContext &ctx)
{
    if (ctx.opset() < 13) {
        if (auto a = ctx.attrInts("axes"))
            return lit(*a);
        return std::nullopt;
    }
    if (!ctx.has(1))
        return std::nullopt;
    return ctx.intsOf(1);
}

void squeeze(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    const auto axes = axesOf(ctx);
    if (!axes)
        ctx.set(0, "torch.squeeze(" + x + ")");
    else
        ctx.set(0, ctx.useHelper("squeeze") + "(" + x + ", " + *axes + ")");
}

void unsqueeze(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    const auto axes = axesOf(ctx);
    if (!axes)
        ctx.unsupported("Unsqueeze without axes");
    const auto constAxes = ctx.opset() < 13 ? ctx.attrInts("axes") : ctx.constInts(1);
    if (constAxes && constAxes->size() == 1 && (*constAxes)[0] >= 0)
        ctx.set(0, "torch.unsqueeze(" + x + ", " + lit((*constAxes)[0]) + ")");
    else
        ctx.set(0, ctx.useHelper("unsqueeze") + "(" + x + ", " + *axes + ")");
}

void concat(OpContext &ctx)
{
    std::string list = "[";
    for (int i = 0; i < ctx.inputs(); ++i)
        if (ctx.has(i))
            list += (list.size() > 1 ? ", " : "") + ctx.in(i);
    ctx.set(0, "torch.cat(" + list + "], " + lit(ctx.attrInt("axis", 0)) + ")");
}

void split(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    const int64_t axis = ctx.attrInt("axis", 0);
    std::string parts;
    std::optional<std::vector<int64_t>> sizes = ctx.opset() < 13 ? ctx.attrInts("split") : ctx.constInts(1);
    if (ctx.opset() < 13 && ctx.opset() < 2 && ctx.has(1))
        sizes = ctx.constInts(1);
    if (sizes && !sizes->empty())
        parts = ctx.tmp("torch.split(" + x + ", " + lit(*sizes) + ", " + lit(axis) + ")");
    else if (ctx.opset() >= 13 && ctx.has(1))
        parts = ctx.tmp("torch.split(" + x + ", " + ctx.intsOf(1) + ", " + lit(axis) + ")");
    else
        parts = ctx.tmp(ctx.useHelper("split_equal") + "(" + x + ", " + lit(axis) + ", " + lit(int64_t(ctx.outputs())) +
                        ")");
    for (int o = 0; o < ctx.outputs(); ++o)
        if (ctx.wants(o))
            ctx.set(o, parts + "[" + lit(int64_t(o)) + "]");
}

void slice(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    std::optional<std::vector<int64_t>> starts, ends, axes, steps;
    if (ctx.opset() < 10) {
        starts = ctx.attrInts("starts");
        ends = ctx.attrInts("ends");
        axes = ctx.attrInts("axes");
    } else {
        starts = ctx.constInts(1);
        ends = ctx.constInts(2);
        axes = ctx.has(3) ? ctx.constInts(3) : std::nullopt;
        steps = ctx.has(4) ? ctx.constInts(4) : std::nullopt;
    }
    const bool runtime = ctx.opset() >= 10 && (!starts || !ends || (ctx.has(3) && !axes) || (ctx.has(4) && !steps));
    if (runtime) {
        const std::string s = ctx.intsOf(1), e = ctx.intsOf(2);
        std::string a, st;
        if (ctx.has(3)) {
            a = ctx.intsOf(3);
        } else {
            a = ctx.tmp("list(range(len(" + s + ")))");
        }
        st = ctx.has(4) ? ctx.intsOf(4) : "[1 for _ in range(len(" + s + "))]";
        ctx.set(0, ctx.useHelper("slice") + "(" + x + ", " + s + ", " + e + ", " + a + ", " + st + ")");
        return;
    }
    if (!starts || !ends || starts->size() != ends->size())
        ctx.unsupported("starts and ends differ in length");
    if (!axes) {
        axes = std::vector<int64_t>();
        for (std::size_t i = 0; i < starts->size(); ++i)
            axes->push_back(int64_t(i));
    }
    if (!steps)
        steps = std::vector<int64_t>(starts->size(), 1);
    bool positive = true;
    for (int64_t s : *steps)
        positive = positive && s > 0;
    const int r = ctx.rank(0);
    bool normalisable = positive;
    for (int64_t a : *axes)
        normalisable = normalisable && (a >= 0 || r >= 0);
    if (!normalisable) {
        ctx.set(0, ctx.useHelper("slice") + "(" + x + ", " + lit(*starts) + ", " + lit(*ends) + ", " + lit(*axes) + ", " +
                       lit(*steps) + ")");
        return;
    }
    // aten::slice clamps starts and ends as ONNX does for positive steps.
    std::string v = x;
    for (std::size_t i = 0; i < starts->size(); ++i) {
        const int64_t a = (*axes)[i] < 0 ? (*axes)[i] + r : (*axes)[i];
        v = ctx.tmp("torch.slice(" + v + ", " + lit(a) + ", " + lit((*starts)[i]) + ", " + lit((*ends)[i]) + ", " +
                    lit((*steps)[i]) + ")");
    }
    ctx.alias(0, v);
}

void gather(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    const int64_t axis = ctx.attrInt("axis", 0);
    const at::Tensor *idx = ctx.constant(1);
    if (idx && idx->dim() == 0 && !idx->is_floating_point())
        ctx.set(0, "torch.select(" + x + ", " + lit(axis) + ", " + lit(idx->item<int64_t>()) + ")");
    else
        ctx.set(0, ctx.useHelper("gather") + "(" + x + ", " + ctx.in(1) + ", " + lit(axis) + ")");
}

void transpose(OpContext &ctx)
{
    const std::string x = ctx.in(0);
    if (auto perm = ctx.attrInts("perm"))
        ctx.set(0, x + ".permute(" + lit(*perm) + ")");
    else
        ctx.set(0, x + ".permute(list(range(" + x + ".dim() - 1, -1, -1)))");
}

void cast(OpContext &ctx)
{
    ctx.set(0, ctx.in(0) + ".to(" + dtypeOf(int32_t(ctx.attrInt("to", 1)), ctx) + ")");
}

void castLike(OpContext &ctx)
{
    ctx.set(0, ctx.in(0) + ".to(" + ctx.in(1) + ".dtype)");
}

void constantOfShape(OpContext &ctx)
{
    at::Tensor value = ctx.attr("value") ? ctx.attrTensor("value") : at::zeros({1}, at::kFloat);
    if (value.numel() != 1)
        ctx.unsupported("value must hold one element");
    std::string v;
    if (value.is_floating_point())
        v = lit(value.item<double>());
    else if (value.scalar_type() == at::kBool)
        v = litBool(value.item<bool>());
    else
        v = lit(value.item<int64_t>());
    const std::string dtype = std::to_string(int(value.scalar_type()));
    ctx.set(0, "torch.full(" + ctx.intsOf(0) + ", " + v + ", dtype=" + dtype + ")");
}

void expand(OpContext &ctx)
{
    ctx.set(0, ctx.useHelper("expand") + "(" + ctx.in(0) + ", " + ctx.intsOf(1) + ")");
}

void tile(OpContext &ctx)
{
    ctx.set(0, ctx.in(0) + ".repeat(" + ctx.intsOf(1) + ")");
}

void range(OpContext &ctx)
{
    const std::string start = ctx.in(0), limit = ctx.in(1), delta = ctx.in(2);
    ctx.set(0, "torch.arange(" + start + ".item(), " + limit + ".item(), " + delta + ".item(), dtype=" + start +
                   ".dtype)");
}

} // namespace

void addTensorOps(OpTable &t)
{
    addOp(t, "Identity", identity);
    addOp(t, "Constant", constant);
    addOp(t, "Shape", shape);
    addOp(t, "Size", size);
    addOp(t, "Reshape", reshape);
    addOp(t, "Flatten", flatten);
    addOp(t, "Squeeze", squeeze);
    addOp(t, "Unsqueeze", unsqueeze);
    addOp(t, "Concat", concat);
    addOp(t, "Split", split);
    addOp(t, "Slice", slice);
    addOp(t, "Gather", gather);
    addOp(t, "Transpose", transpose);
    addOp(t, "Cast", cast);
    addOp(t, "CastLike", castLike);
    addOp(t, "ConstantOfShape", constantOfShape);
    addOp(t, "Expand", expand);
    addOp(t, "Tile", tile);
    addOp(t, "Range", range);
}

} // namespace gkp
