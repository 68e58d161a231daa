// The ONNX translator against ONNX's own backend test cases (Debian's libonnx-testdata): every
// node test of a supported op and the pytorch-converted / pytorch-operator cases that use only
// supported ops, compared with the stored outputs as ONNX's runner does (rtol 1e-3, atol 1e-7).

#include "onnx/onnxfile.h"
#include "onnx/onnxops.h"
#include "onnx/onnxshapes.h"
#include "onnx/onnxtensor.h"
#include "onnx/onnxtranslator.h"

#include <QtTest>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace {

const char *DataRoot = "/usr/share/libonnx-testdata/data";

struct Outcome
{
    enum Kind { Passed, Failed, Skipped, OtherOps } kind = Passed;
    std::string reason;
    int64_t opset = 0;
};

std::vector<fs::path> sortedFiles(const fs::path &dir, const std::string &prefix)
{
    std::vector<fs::path> files;
    for (const auto &e : fs::directory_iterator(dir))
        if (e.path().filename().string().rfind(prefix, 0) == 0 && e.path().extension() == ".pb")
            files.push_back(e.path());
    // input_0.pb ... input_10.pb: numeric order
    std::sort(files.begin(), files.end(), [&](const fs::path &a, const fs::path &b) {
        auto num = [&](const fs::path &p) { return std::stoi(p.stem().string().substr(prefix.size())); };
        return num(a) < num(b);
    });
    return files;
}

std::string compare(const at::Tensor &expected, const at::Tensor &actual)
{
    if (expected.sizes() != actual.sizes())
        return "shape " + c10::str(actual.sizes()) + " instead of " + c10::str(expected.sizes());
    if (expected.is_floating_point() != actual.is_floating_point() || expected.is_complex() != actual.is_complex())
        return std::string("type ") + c10::toString(actual.scalar_type()) + " instead of " +
               c10::toString(expected.scalar_type());
    if (expected.numel() == 0)
        return {};
    if (!expected.is_floating_point() && !expected.is_complex()) {
        if (!at::equal(expected.to(at::kLong), actual.to(at::kLong)))
            return "integer values differ";
        return {};
    }
    const at::Tensor e = expected.to(at::kDouble), a = actual.to(at::kDouble);
    const at::Tensor nanE = e.isnan(), nanA = a.isnan();
    if (!at::equal(nanE, nanA))
        return "NaN positions differ";
    const at::Tensor ok = (a - e).abs().le(1e-7 + 1e-3 * e.abs()) | nanE | (a == e);
    if (!ok.all().item<bool>()) {
        const at::Tensor err = ((a - e).abs() - 1e-3 * e.abs()).masked_fill(nanE, 0);
        return "max excess error " + std::to_string(err.max().item<double>());
    }
    return {};
}

Outcome runCase(const fs::path &dir)
{
    const fs::path modelPath = dir / "model.onnx";
    {
        // ops first: training ops live in another domain, whose models import no ai.onnx opset
        onnx::ModelProto raw;
        std::ifstream in(modelPath, std::ios::binary);
        if (raw.ParseFromIstream(&in)) {
            try {
                gkp::checkSupportedOps(raw.graph());
            } catch (const gkp::UnsupportedOnnx &e) {
                return {Outcome::OtherOps, e.what()};
            }
            for (const auto *list : {&raw.graph().input(), &raw.graph().output()})
                for (const onnx::ValueInfoProto &v : *list)
                    if (v.has_type() && !v.type().has_tensor_type())
                        return {Outcome::Skipped, "'" + v.name() + "' is a sequence or optional, not a tensor"};
        }
    }
    std::unique_ptr<onnx::ModelProto> model;
    try {
        gkp::OnnxReadOptions ro;
        ro.legacy_opsets = true;
        model = gkp::readOnnxModel(modelPath.string(), ro);
        gkp::checkSupportedOps(model->graph());
    } catch (const gkp::UnsupportedOnnx &e) {
        return {Outcome::OtherOps, e.what()};
    } catch (const std::exception &e) {
        return {Outcome::Skipped, e.what()};
    }
    gkp::Translation t;
    try {
        gkp::TranslateOptions opts;
        opts.base_dir = dir.string();
        opts.types = gkp::inferValueTypes(*model, {});
        t = gkp::translateOnnx(*model, opts);
    } catch (const gkp::UnsupportedOnnx &e) {
        return {Outcome::Skipped, e.what()};
    } catch (const std::exception &e) {
        return {Outcome::Failed, std::string("translation: ") + e.what()};
    }
    int sets = 0;
    for (const auto &e : fs::directory_iterator(dir)) {
        if (!e.is_directory() || e.path().filename().string().rfind("test_data_set_", 0) != 0)
            continue;
        ++sets;
        std::vector<c10::IValue> inputs;
        std::vector<at::Tensor> expected;
        try {
            for (const fs::path &f : sortedFiles(e.path(), "input_"))
                inputs.push_back(gkp::readTensorFile(f.string()));
            for (const fs::path &f : sortedFiles(e.path(), "output_"))
                expected.push_back(gkp::readTensorFile(f.string()));
        } catch (const std::exception &ex) {
            return {Outcome::Skipped, std::string("test data: ") + ex.what()};
        }
        if (inputs.size() != t.inputs.size())
            return {Outcome::Skipped, "test data has " + std::to_string(inputs.size()) + " inputs, the graph " +
                                          std::to_string(t.inputs.size()) + " (optional inputs given as empty)"};
        c10::IValue result;
        try {
            torch::NoGradGuard noGrad;
            result = t.module.forward(inputs);
        } catch (const std::exception &ex) {
            std::string msg = ex.what();
            if (const auto nl = msg.rfind("RuntimeError:"); nl != std::string::npos)
                msg = msg.substr(nl);
            msg = msg.substr(0, msg.find('\n'));
            return {Outcome::Failed, "run: " + msg};
        }
        std::vector<at::Tensor> actual;
        if (result.isTuple())
            for (const auto &v : result.toTupleRef().elements())
                actual.push_back(v.toTensor());
        else
            actual.push_back(result.toTensor());
        if (actual.size() != expected.size())
            return {Outcome::Failed, "produced " + std::to_string(actual.size()) + " outputs instead of " +
                                         std::to_string(expected.size())};
        for (std::size_t i = 0; i < actual.size(); ++i)
            if (const std::string d = compare(expected[i], actual[i]); !d.empty())
                return {Outcome::Failed, e.path().filename().string() + " output " + std::to_string(i) + ": " + d};
    }
    if (sets == 0)
        return {Outcome::Skipped, "no test data sets"};
    return {Outcome::Passed, {}, gkp::onnxOpset(*model)};
}

} // namespace

class TestOnnxConformance : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void backendCases();
};

void TestOnnxConformance::backendCases()
{
    if (!fs::is_directory(DataRoot))
        QSKIP("libonnx-testdata is not installed (/usr/share/libonnx-testdata)");
    std::map<std::string, int> passed, total, legacy; // legacy: passed cases below opset 9
    std::vector<std::string> failures, skipped;
    std::map<std::string, std::set<std::string>> otherOps; // suite -> unsupported ops
    std::map<std::string, int> otherCount;
    for (const char *suite : {"node", "pytorch-converted", "pytorch-operator"}) {
        const fs::path root = fs::path(DataRoot) / suite;
        std::vector<fs::path> cases;
        for (const auto &e : fs::directory_iterator(root))
            if (fs::exists(e.path() / "model.onnx"))
                cases.push_back(e.path());
        std::sort(cases.begin(), cases.end());
        const char *only = std::getenv("GKP_ONNX_CASES"); // debugging: run the cases whose name has this
        for (const fs::path &c : cases) {
            if (only && c.filename().string().find(only) == std::string::npos)
                continue;
            const Outcome o = runCase(c);
            const std::string name = std::string(suite) + "/" + c.filename().string();
            switch (o.kind) {
            case Outcome::OtherOps: {
                ++otherCount[suite];
                const auto q = o.reason.find("uses op '");
                if (q != std::string::npos)
                    otherOps[suite].insert(o.reason.substr(q + 9, o.reason.find('\'', q + 9) - q - 9));
                break;
            }
            case Outcome::Skipped: skipped.push_back(name + ": " + o.reason); break;
            case Outcome::Failed:
                ++total[suite];
                failures.push_back(name + ": " + o.reason);
                break;
            case Outcome::Passed:
                ++total[suite];
                ++passed[suite];
                legacy[suite] += o.opset < gkp::MinOnnxOpset;
                break;
            }
        }
    }
    for (const auto &[suite, n] : total)
        qInfo("%s: %d of %d cases of supported ops passed (%d of them below opset %d)", suite.c_str(), passed[suite], n,
              legacy[suite], int(gkp::MinOnnxOpset));
    for (const auto &[suite, n] : otherCount) {
        std::string ops;
        for (const std::string &op : otherOps[suite])
            ops += (ops.empty() ? "" : " ") + op;
        qInfo("%s: %d cases not run, they use ops outside the supported set: %s", suite.c_str(), n, ops.c_str());
    }
    qInfo("skipped %d cases of supported ops:", int(skipped.size()));
    for (const std::string &s : skipped)
        qInfo("  skipped %s", s.c_str());
    for (const std::string &f : failures)
        qWarning("  FAILED %s", f.c_str());
    QVERIFY2(failures.empty(), (std::to_string(failures.size()) + " cases failed").c_str());
}

QTEST_GUILESS_MAIN(TestOnnxConformance)
#include "tst_onnxconformance.moc"
