#include "onnx/onnxhelpers.h"

#include <map>
#include <vector>

namespace gkp {

namespace {

struct Helper
{
    std::vector<std::string> calls;
    const char *source;
};

const std::map<std::string, Helper> &helpers()
{
    static const std::map<std::string, Helper> h = {
        {"ints", {{}, R"(
def _gkp_ints(self, t: Tensor) -> List[int]:
    flat = t.reshape([-1]).long()
    out: List[int] = []
    for i in range(flat.size(0)):
        out.append(int(flat[i]))
    return out
)"}},
        {"floats", {{}, R"(
def _gkp_floats(self, t: Tensor) -> List[float]:
    flat = t.reshape([-1]).double()
    out: List[float] = []
    for i in range(flat.size(0)):
        out.append(float(flat[i]))
    return out
)"}},
        {"alldims", {{}, R"(
def _gkp_alldims(self, x: Tensor) -> List[int]:
    return list(range(x.dim()))
)"}},
        {"reshape", {{}, R"(
def _gkp_reshape(self, x: Tensor, shape: List[int], allowzero: bool) -> Tensor:
    out: List[int] = []
    for i in range(len(shape)):
        if shape[i] == 0 and not allowzero:
            out.append(x.size(i))
        else:
            out.append(shape[i])
    return x.reshape(out)
)"}},
        {"flatten", {{}, R"(
def _gkp_flatten(self, x: Tensor, axis: int) -> Tensor:
    if axis < 0:
        axis += x.dim()
    outer = 1
    for i in range(axis):
        outer *= x.size(i)
    inner = 1
    for i in range(axis, x.dim()):
        inner *= x.size(i)
    return x.reshape([outer, inner])
)"}},
        {"squeeze", {{}, R"(
def _gkp_squeeze(self, x: Tensor, axes: List[int]) -> Tensor:
    r = x.dim()
    dims: List[int] = []
    for a in axes:
        dims.append(a + r if a < 0 else a)
    dims.sort(reverse=True)
    for d in dims:
        x = x.squeeze(d)
    return x
)"}},
        {"unsqueeze", {{}, R"(
def _gkp_unsqueeze(self, x: Tensor, axes: List[int]) -> Tensor:
    r = x.dim() + len(axes)
    dims: List[int] = []
    for a in axes:
        dims.append(a + r if a < 0 else a)
    dims.sort()
    for d in dims:
        x = x.unsqueeze(d)
    return x
)"}},
        {"gather", {{}, R"(
def _gkp_gather(self, x: Tensor, idx: Tensor, axis: int) -> Tensor:
    if axis < 0:
        axis += x.dim()
    i = idx.long()
    i = torch.where(i < 0, i + x.size(axis), i)
    out = torch.index_select(x, axis, i.reshape([-1]))
    return out.reshape(x.size()[:axis] + idx.size() + x.size()[axis + 1:])
)"}},
        {"slice", {{}, R"(
def _gkp_slice(self, x: Tensor, starts: List[int], ends: List[int], axes: List[int], steps: List[int]) -> Tensor:
    for k in range(len(starts)):
        a = axes[k]
        if a < 0:
            a += x.dim()
        n = x.size(a)
        s = starts[k]
        e = ends[k]
        step = steps[k]
        if s < 0:
            s += n
        if e < 0:
            e += n
        if step > 0:
            s = min(max(s, 0), n)
            e = min(max(e, 0), n)
            x = torch.slice(x, a, s, e, step)
        else:
            s = min(max(s, 0), n - 1)
            e = min(max(e, -1), n - 1)
            x = torch.index_select(x, a, torch.arange(s, e, step, device=x.device))
    return x
)"}},
        {"expand", {{}, R"(
def _gkp_expand(self, x: Tensor, shape: List[int]) -> Tensor:
    r = max(x.dim(), len(shape))
    out: List[int] = []
    for i in range(r):
        ix = i - r + x.dim()
        ishape = i - r + len(shape)
        a = x.size(ix) if ix >= 0 else 1
        b = shape[ishape] if ishape >= 0 else 1
        out.append(a if b == 1 else b)
    return x.expand(out)
)"}},
        {"same_pads", {{}, R"(
def _gkp_same_pads(self, x: Tensor, kernel: List[int], strides: List[int], dilations: List[int], upper: bool) -> List[int]:
    pads: List[int] = []
    r = len(kernel)
    for k in range(r):
        d = r - 1 - k
        n = x.size(x.dim() - r + d)
        out = (n + strides[d] - 1) // strides[d]
        total = max((out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - n, 0)
        small = total // 2
        if upper:
            pads.append(small)
            pads.append(total - small)
        else:
            pads.append(total - small)
            pads.append(small)
    return pads
)"}},
        {"pad", {{}, R"(
def _gkp_pad(self, x: Tensor, pads: List[int], mode: str, value: float) -> Tensor:
    n = len(pads) // 2
    first = 0
    while first < n and pads[first] == 0 and pads[first + n] == 0:
        first += 1
    p: List[int] = []
    for k in range(n - 1, first - 1, -1):
        p.append(pads[k])
        p.append(pads[k + n])
    if len(p) == 0:
        return x
    if mode == "constant":
        return torch.constant_pad_nd(x, p, value)
    how = "reflect" if mode == "reflect" else "replicate"
    if not x.is_floating_point():  # LibTorch reflects and replicates floating-point tensors only
        return torch.pad(x.double(), p, how, None).to(x.dtype)
    return torch.pad(x, p, how, None)
)"}},
        {"reduce", {{}, R"(
def _gkp_reduce(self, x: Tensor, axes: List[int], keep: bool, noop: bool, op: str) -> Tensor:
    if len(axes) == 0:
        if noop:
            return x
        axes = list(range(x.dim()))
    if op == "sum":
        return torch.sum(x, axes, keep)
    if op == "max":
        return torch.amax(x, axes, keep)
    if op == "min":
        return torch.amin(x, axes, keep)
    return torch.mean(x, axes, keep)
)"}},
        {"softmax2d", {{"flatten"}, R"(
def _gkp_softmax2d(self, x: Tensor, axis: int, log: bool) -> Tensor:
    if axis < 0:
        axis += x.dim()
    flat = self._gkp_flatten(x, axis)
    if log:
        return torch.log_softmax(flat, 1).reshape(x.size())
    return torch.softmax(flat, 1).reshape(x.size())
)"}},
        {"split_equal", {{}, R"(
def _gkp_split_equal(self, x: Tensor, axis: int, parts: int) -> List[Tensor]:
    n = x.size(axis)
    return torch.split(x, (n + parts - 1) // parts, axis)
)"}},
        {"resize_sizes", {{}, R"(
def _gkp_resize_sizes(self, x: Tensor, scales: List[float], sizes: List[int]) -> List[int]:
    if len(sizes) > 0:
        return sizes
    out: List[int] = []
    for d in range(x.dim()):
        out.append(int(float(x.size(d)) * scales[d]))
    return out
)"}},
        {"resize_coords", {{}, R"(
def _gkp_resize_coords(self, out_size: int, in_size: int, scale: float, mode: str) -> Tensor:
    x = torch.arange(out_size, dtype=7)
    if mode == "asymmetric":
        return x / scale
    if mode == "align_corners":
        # ONNX divides by the unrounded output length in_size * scale
        length = float(in_size) * scale
        if length <= 1.0:
            return torch.zeros_like(x)
        return x * float(in_size - 1) / (length - 1.0)
    if mode == "pytorch_half_pixel":
        if out_size == 1:
            return torch.zeros_like(x)
        return (x + 0.5) / scale - 0.5
    if mode == "tf_half_pixel_for_nn":
        return (x + 0.5) / scale
    return (x + 0.5) / scale - 0.5
)"}},
        {"resize_nearest", {{"resize_sizes", "resize_coords"}, R"(
def _gkp_resize_nearest(self, x: Tensor, scales: List[float], sizes: List[int], coord: str, rounding: str) -> Tensor:
    out_sizes = self._gkp_resize_sizes(x, scales, sizes)
    for d in range(x.dim()):
        n = x.size(d)
        scale = scales[d] if len(scales) > 0 else float(out_sizes[d]) / float(n)
        if out_sizes[d] == n and scale == 1.0:
            continue
        c = self._gkp_resize_coords(out_sizes[d], n, scale, coord)
        if rounding == "floor":
            i = torch.floor(c)
        elif rounding == "ceil":
            i = torch.ceil(c)
        elif rounding == "round_prefer_ceil":
            i = torch.floor(c + 0.5)
        else:
            i = torch.ceil(c - 0.5)
        x = torch.index_select(x, d, torch.clamp(i, 0, n - 1).long())
    return x
)"}},
        {"resize_linear", {{"resize_sizes", "resize_coords"}, R"(
def _gkp_resize_linear(self, x: Tensor, scales: List[float], sizes: List[int], coord: str) -> Tensor:
    out_sizes = self._gkp_resize_sizes(x, scales, sizes)
    for d in range(x.dim()):
        n = x.size(d)
        scale = scales[d] if len(scales) > 0 else float(out_sizes[d]) / float(n)
        if out_sizes[d] == n and scale == 1.0:
            continue
        c = torch.clamp(self._gkp_resize_coords(out_sizes[d], n, scale, coord), 0, n - 1)
        i0 = torch.floor(c)
        shape: List[int] = []
        for k in range(x.dim()):
            shape.append(out_sizes[d] if k == d else 1)
        w = (c - i0).to(x.dtype).reshape(shape)
        lo = i0.long()
        hi = torch.clamp(lo + 1, 0, n - 1)
        x = torch.index_select(x, d, lo) * (1.0 - w) + torch.index_select(x, d, hi) * w
    return x
)"}},
    };
    return h;
}

void collect(const std::string &name, std::set<std::string> &out)
{
    if (!out.insert(name).second)
        return;
    for (const std::string &c : helpers().at(name).calls)
        collect(c, out);
}

} // namespace

std::string helperSources(const std::set<std::string> &names)
{
    std::set<std::string> all;
    for (const std::string &n : names)
        collect(n, all);
    std::string src;
    for (const std::string &n : all)
        src += helpers().at(n).source;
    return src;
}

} // namespace gkp
