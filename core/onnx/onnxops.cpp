#include "onnx/onnxops.h"

#include "onnx/onnxtensor.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

namespace gkp {

struct OpTable
{
    std::map<std::string, OpEmitter> ops;
};

void addOp(OpTable &table, const char *type, OpEmitter emit)
{
    table.ops[type] = emit;
}

namespace {

const OpTable &table()
{
    static const OpTable t = [] {
        OpTable t;
        addMathOps(t);
        addNnOps(t);
        addTensorOps(t);
        return t;
    }();
    return t;
}

} // namespace

OpEmitter findOp(const std::string &domain, const std::string &opType)
{
    if (!domain.empty() && domain != "ai.onnx")
        return nullptr;
    const auto it = table().ops.find(opType);
    return it == table().ops.end() ? nullptr : it->second;
}

bool foldableOp(const std::string &opType)
{
    // Everything but ops whose output is random or depends on a training flag.
    static const std::set<std::string> notFoldable = {"Dropout", "BatchNormalization", "RandomNormal",
                                                      "RandomUniform", "RandomNormalLike", "RandomUniformLike",
                                                      "Multinomial", "Bernoulli"};
    return notFoldable.count(opType) == 0;
}

std::vector<std::string> supportedOps()
{
    std::vector<std::string> out;
    for (const auto &[name, emit] : table().ops)
        out.push_back(name);
    return out;
}

std::optional<std::vector<int64_t>> OpContext::constInts(int i) const
{
    const at::Tensor *t = has(i) ? constant(i) : nullptr;
    if (!t || t->is_floating_point() || t->is_complex())
        return std::nullopt;
    const at::Tensor flat = t->reshape({-1}).to(at::kLong).contiguous();
    return std::vector<int64_t>(flat.data_ptr<int64_t>(), flat.data_ptr<int64_t>() + flat.numel());
}

std::optional<std::vector<double>> OpContext::constDoubles(int i) const
{
    const at::Tensor *t = has(i) ? constant(i) : nullptr;
    if (!t || t->is_complex())
        return std::nullopt;
    const at::Tensor flat = t->reshape({-1}).to(at::kDouble).contiguous();
    return std::vector<double>(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
}

std::string OpContext::intsOf(int i)
{
    if (auto v = constInts(i))
        return lit(*v);
    return useHelper("ints") + "(" + in(i) + ")";
}

int OpContext::rank(int i) const
{
    if (const at::Tensor *t = has(i) ? constant(i) : nullptr)
        return int(t->dim());
    const auto s = has(i) ? shape(i) : std::nullopt;
    return s ? int(s->size()) : -1;
}

std::optional<bool> OpContext::floating(int i) const
{
    if (const at::Tensor *t = has(i) ? constant(i) : nullptr)
        return t->is_floating_point();
    switch (elemType(i)) {
    case 0: return std::nullopt;
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16: return true;
    default: return false;
    }
}

const onnx::AttributeProto *OpContext::attr(const char *name) const
{
    for (const auto &a : node().attribute())
        if (a.name() == name)
            return &a;
    return nullptr;
}

int64_t OpContext::attrInt(const char *name, int64_t fallback) const
{
    const auto *a = attr(name);
    return a ? a->i() : fallback;
}

double OpContext::attrFloat(const char *name, double fallback) const
{
    const auto *a = attr(name);
    return a ? double(a->f()) : fallback;
}

std::string OpContext::attrString(const char *name, const std::string &fallback) const
{
    const auto *a = attr(name);
    return a ? a->s() : fallback;
}

std::optional<std::vector<int64_t>> OpContext::attrInts(const char *name) const
{
    const auto *a = attr(name);
    if (!a)
        return std::nullopt;
    return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<std::vector<double>> OpContext::attrFloats(const char *name) const
{
    const auto *a = attr(name);
    if (!a)
        return std::nullopt;
    return std::vector<double>(a->floats().begin(), a->floats().end());
}

std::string lit(int64_t v)
{
    return std::to_string(v);
}

std::string lit(double v)
{
    if (std::isnan(v))
        return "float(\"nan\")";
    if (std::isinf(v))
        return v > 0 ? "float(\"inf\")" : "float(\"-inf\")";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    std::string s = buf;
    if (s.find_first_of(".e") == std::string::npos)
        s += ".0";
    return s;
}

std::string lit(const std::vector<int64_t> &v)
{
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + lit(v[i]);
    return s + "]";
}

std::string lit(const std::vector<double> &v)
{
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + lit(v[i]);
    return s + "]";
}

std::string litBool(bool v)
{
    return v ? "True" : "False";
}

std::string dtypeOf(int32_t onnxType, const OpContext &ctx)
{
    const auto t = torchType(onnxType);
    if (!t)
        ctx.unsupported("element type " + onnxTypeName(onnxType) + " has no LibTorch equivalent");
    return std::to_string(int(*t));
}

std::vector<int64_t> torchPads(const std::vector<int64_t> &onnxPads)
{
    const std::size_t axes = onnxPads.size() / 2;
    std::size_t first = 0; // leading axes without padding are left out
    while (first < axes && onnxPads[first] == 0 && onnxPads[first + axes] == 0)
        ++first;
    std::vector<int64_t> out;
    for (std::size_t a = axes; a-- > first;) {
        out.push_back(onnxPads[a]);
        out.push_back(onnxPads[a + axes]);
    }
    return out;
}

} // namespace gkp
