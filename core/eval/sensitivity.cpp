#include "eval/sensitivity.h"

#include "dist/communicator.h"
#include "eval/bnrecalibration.h"
#include "eval/evaluate.h"
#include "eval/maskedmodule.h"
#include "model/model.h"
#include "engine/planner.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace gkp {

using nlohmann::json;

std::map<std::string, SensitivityCurve> SensitivityTable::curves() const
{
    std::map<std::string, SensitivityCurve> out;
    for (std::size_t l = 0; l < layers.size(); ++l) {
        SensitivityCurve c;
        c.ratios = ratios;
        for (std::size_t r = 0; r < ratios.size(); ++r)
            c.drops.push_back(drop(l, r));
        out[layers[l]] = std::move(c);
    }
    return out;
}

SensitivityTable measureSensitivity(Planner &planner, const PlanSettings &settings, const Dataset &data,
                                    const SensitivityOptions &options, const ProgressFn &progress)
{
    if (options.ratios.empty())
        throw Error("sensitivity needs at least one ratio");
    for (std::size_t i = 0; i < options.ratios.size(); ++i)
        if (!(options.ratios[i] > 0.0 && options.ratios[i] < 1.0) || (i && options.ratios[i] <= options.ratios[i - 1]))
            throw Error("sensitivity ratios must be ascending and in (0, 1)");
    PlanSettings layerSet = settings;
    layerSet.target_macs_reduction.reset();
    const std::vector<Planner::Request> requests = planner.requests(layerSet);
    if (requests.empty())
        throw Error("no layer to measure: the settings prune no convolution");

    const Model &model = planner.model();
    SensitivityTable table;
    table.model_file = model.path();
    table.dataset = data.summary();
    table.samples = data.size();
    table.recalibration_samples = options.recalibration ? options.recalibration->size() : 0;
    table.method = methodSummary(settings);
    table.ratios = options.ratios;

    const std::size_t ratios = options.ratios.size();
    const int total = int(1 + requests.size() * ratios);
    Communicator *const comm = options.communicator;
    const int rank = comm ? comm->rank() : 0, ranks = comm ? comm->size() : 1;
    const int begin = int(int64_t(total) * rank / ranks), end = int(int64_t(total) * (rank + 1) / ranks);
    // evaluation 0 is the unpruned model, 1 + l * ratios + r layer l at ratio r
    if (comm)
        comm->checkSame({{"evaluation images", data.size()},
                         {"evaluations", total},
                         {"recalibration images", options.recalibration ? options.recalibration->size() : 0}});
    torch::Tensor top1 = torch::zeros({total}, torch::kDouble);
    int done = 0;
    MaskedModule masked(model);
    for (int t = begin; t < end; ++t) {
        if (t == 0) {
            top1[0].fill_(evaluate(masked.module(), data, options.batch).top1);
        } else {
            const Planner::Request &req = requests[std::size_t(t - 1) / ratios];
            const double ratio = options.ratios[std::size_t(t - 1) % ratios];
            const LayerPlan lp = planner.planLayer(req.layer, ratio, req.groups, settings);
            masked.reset();
            masked.setPlanMask(lp);
            if (options.recalibration)
                recalibrateBatchNorm(masked.module(), *options.recalibration, options.batch);
            top1[t].fill_(evaluate(masked.module(), data, options.batch).top1);
        }
        reportProgress(progress, ++done, end - begin);
    }
    if (comm)
        comm->allReduceSum(top1, "the sensitivity all-reduce");
    const auto values = top1.accessor<double, 1>();
    table.baseline_top1 = values[0];
    for (std::size_t l = 0; l < requests.size(); ++l) {
        table.layers.push_back(model.inventory().layers.at(std::size_t(requests[l].layer)).name);
        std::vector<double> row;
        for (std::size_t r = 0; r < ratios; ++r)
            row.push_back(values[int64_t(1 + l * ratios + r)]);
        table.top1.push_back(std::move(row));
    }
    return table;
}

namespace {

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string csvField(const std::string &s)
{
    if (s.find_first_of(",\"\n") == std::string::npos)
        return s;
    std::string q = "\"";
    for (char c : s)
        q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

} // namespace

std::string sensitivityToCsv(const SensitivityTable &t)
{
    std::ostringstream out;
    out << "layer";
    for (double r : t.ratios)
        out << ",top1@" << num(r) << ",drop@" << num(r);
    out << '\n' << "(none)";
    for (std::size_t r = 0; r < t.ratios.size(); ++r)
        out << ',' << num(t.baseline_top1) << ",0";
    out << '\n';
    for (std::size_t l = 0; l < t.layers.size(); ++l) {
        out << csvField(t.layers[l]);
        for (std::size_t r = 0; r < t.ratios.size(); ++r)
            out << ',' << num(t.top1[l][r]) << ',' << num(t.drop(l, r));
        out << '\n';
    }
    return out.str();
}

std::string sensitivityToJson(const SensitivityTable &t)
{
    json layers = json::array();
    for (std::size_t l = 0; l < t.layers.size(); ++l) {
        json drops = json::array();
        for (std::size_t r = 0; r < t.ratios.size(); ++r)
            drops.push_back(t.drop(l, r));
        layers.push_back({{"name", t.layers[l]}, {"top1", t.top1[l]}, {"drop", drops}});
    }
    const json doc = {{"format", "gkp-sensitivity"},
                      {"version", 1},
                      {"model_file", t.model_file},
                      {"dataset", t.dataset},
                      {"samples", t.samples},
                      {"recalibration_samples", t.recalibration_samples},
                      {"method", t.method},
                      {"baseline_top1", t.baseline_top1},
                      {"ratios", t.ratios},
                      {"layers", layers}};
    return doc.dump(1) + "\n";
}

SensitivityTable sensitivityFromJson(const std::string &text)
{
    const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    auto fail = [](const std::string &what) -> void { throw Error("invalid sensitivity file: " + what); };
    if (doc.is_discarded() || !doc.is_object())
        fail("not a JSON object");
    if (doc.value("format", std::string()) != "gkp-sensitivity")
        fail("format: expected \"gkp-sensitivity\" (write it with gkp sensitivity --json)");
    SensitivityTable t;
    try {
        t.model_file = doc.value("model_file", std::string());
        t.dataset = doc.value("dataset", std::string());
        t.samples = doc.value("samples", int64_t(0));
        t.recalibration_samples = doc.value("recalibration_samples", int64_t(0));
        t.method = doc.value("method", std::string());
        t.baseline_top1 = doc.at("baseline_top1").get<double>();
        t.ratios = doc.at("ratios").get<std::vector<double>>();
        for (const json &l : doc.at("layers")) {
            t.layers.push_back(l.at("name").get<std::string>());
            t.top1.push_back(l.at("top1").get<std::vector<double>>());
            if (t.top1.back().size() != t.ratios.size())
                fail("layer '" + t.layers.back() + "': expected " + std::to_string(t.ratios.size()) + " top1 values");
        }
    } catch (const json::exception &e) {
        fail(std::string("missing or mistyped field (") + e.what() + ")");
    }
    if (t.ratios.empty())
        fail("ratios: expected at least one");
    return t;
}

SensitivityTable loadSensitivity(const std::string &path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot read '" + path + "'");
    std::ostringstream s;
    s << in.rdbuf();
    try {
        return sensitivityFromJson(s.str());
    } catch (const Error &e) {
        throw Error(path + ": " + e.what());
    }
}

} // namespace gkp
