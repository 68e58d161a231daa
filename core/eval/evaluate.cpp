#include "eval/evaluate.h"

#include "model/torchmodel.h"

namespace gkp {

namespace {

std::string shapeText(const torch::Tensor &t)
{
    std::string s;
    for (int64_t d = 0; d < t.dim(); ++d)
        s += (d ? "x" : "") + std::to_string(t.size(d));
    return s.empty() ? "a scalar" : s;
}

} // namespace

torch::Tensor logitsOf(const torch::IValue &output)
{
    if (output.isTensor())
        return output.toTensor();
    if (output.isTuple() && !output.toTupleRef().elements().empty())
        return logitsOf(output.toTupleRef().elements()[0]);
    if (output.isList() && output.toListRef().size() > 0)
        return logitsOf(output.toListRef()[0]);
    throw Error("the model returns " + output.tagKind() + ", not a tensor of class scores [N, classes]");
}


Accuracy evaluate(torch::jit::Module &module, const Dataset &data, int batch, const ProgressFn &progress)
{
    if (batch < 1)
        throw Error("the batch size must be at least 1, not " + std::to_string(batch));
    const int64_t n = data.size();
    if (n == 0)
        throw Error("the dataset is empty: there is nothing to evaluate");
    module.eval();
    torch::NoGradGuard noGrad;

    Accuracy acc;
    for (int64_t start = 0; start < n; start += batch) {
        const int64_t count = std::min<int64_t>(batch, n - start);
        const torch::Tensor images = data.images.narrow(0, start, count);
        const torch::Tensor labels = data.labels.narrow(0, start, count);
        torch::IValue output;
        try {
            output = module.forward({images});
        } catch (const std::exception &e) {
            throw Error("the model expects a different input: dataset images are " + data.imageShape() +
                        " (fed in batches of " + std::to_string(images.size(0)) +
                        "), and forward() fails with: " + briefError(e));
        }
        const torch::Tensor logits = logitsOf(output);
        if (logits.dim() != 2 || logits.size(0) != count)
            throw Error("the model output is " + shapeText(logits) + " for a batch of " +
                        std::to_string(count) + " images; expected class scores [" + std::to_string(count) +
                        ", classes]");
        const int64_t outputs = logits.size(1);
        if (outputs < data.classes)
            throw Error("the model has " + std::to_string(outputs) +
                        " outputs per image but the dataset has " + std::to_string(data.classes) +
                        " classes");

        const torch::Tensor top = std::get<1>(logits.topk(std::min<int64_t>(5, outputs), /*dim=*/1));
        const torch::Tensor hits = top.eq(labels.unsqueeze(1));
        const int64_t top1 = hits.select(1, 0).sum().item<int64_t>();
        acc.top1_correct += top1;
        acc.top5_correct += outputs >= 5 ? hits.any(1).sum().item<int64_t>() : top1;
        acc.samples += count;
        reportProgress(progress, acc.samples, n);
    }
    acc.top1 = double(acc.top1_correct) / double(acc.samples);
    acc.top5 = double(acc.top5_correct) / double(acc.samples);
    return acc;
}

} // namespace gkp
