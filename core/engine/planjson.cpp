#include "engine/planjson.h"

#include "engine/channelplanner.h"
#include "util/atomicfile.h"
#include "util/error.h"
#include "export/exporter.h"
#include "model/model.h"
#include "runtime/onnxruntimebench.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <filesystem>
#include <set>
#include <sstream>

namespace gkp {

using nlohmann::json;

namespace {

constexpr const char *FormatName = "gkp-plan";

json settingsToJson(const PlanSettings &s)
{
    json overrides = json::object();
    for (const auto &[name, o] : s.overrides) {
        json j = json::object();
        if (o.ratio)
            j["ratio"] = *o.ratio;
        if (o.groups)
            j["groups"] = *o.groups == 0 ? json("auto") : json(*o.groups);
        if (o.off)
            j["off"] = true;
        if (o.include)
            j["on"] = true;
        overrides[name] = j;
    }
    json sensitivity = json::object();
    for (const auto &[name, c] : s.sensitivity)
        sensitivity[name] = {{"ratios", c.ratios}, {"drops", c.drops}};
    return {
        {"method", s.method},
        {"importance", s.importance},
        {"protect_residual", s.protect_residual},
        {"cluster", s.cluster},
        {"select", s.select},
        {"groups", s.groups == 0 ? json("auto") : json(s.groups)},
        {"ratio", s.ratio},
        {"target_macs_reduction", s.target_macs_reduction ? json(*s.target_macs_reduction) : json(nullptr)},
        {"allocation", s.allocation},
        {"sensitivity", sensitivity},
        {"lambda", s.lambda ? json(*s.lambda) : json("auto")},
        {"max_starts", s.max_starts},
        {"include_stem", s.include_stem},
        {"seed", s.seed},
        {"n_init", s.n_init},
        {"max_groups", s.max_groups},
        {"epsilon", s.epsilon},
        {"latency_aware", s.latency_aware},
        {"latency_batch", s.latency_batch},
        {"latency_slack", s.latency_slack},
        {"channel_multiple", s.channel_multiple},
        {"latency_runtime", s.latency_runtime},
        {"snapshots", s.snapshots},
        {"overrides", overrides},
    };
}

// Reads fields of a JSON document, throwing gkp::Error with the JSON path of the first bad one.
class Reader
{
public:
    explicit Reader(std::string prefix = {}) : m_path(std::move(prefix)) {}

    [[noreturn]] void fail(const std::string &path, const std::string &what) const
    {
        throw Error("invalid plan: " + (path.empty() ? std::string("document") : path) + ": " + what);
    }

    const json &field(const json &obj, const std::string &path, const char *key) const
    {
        if (!obj.is_object())
            fail(path, "expected an object");
        auto it = obj.find(key);
        if (it == obj.end())
            fail(join(path, key), "missing");
        return *it;
    }

    static std::string join(const std::string &path, const std::string &key)
    {
        return path.empty() ? key : path + "." + key;
    }
    static std::string at(const std::string &path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

    int64_t integer(const json &j, const std::string &path, int64_t lo, int64_t hi) const
    {
        if (!j.is_number_integer())
            fail(path, "expected an integer");
        const int64_t v = j.get<int64_t>();
        if (v < lo || v > hi)
            fail(path, std::to_string(v) + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
        return v;
    }
    double number(const json &j, const std::string &path, double lo, double hi) const
    {
        if (!j.is_number())
            fail(path, "expected a number");
        const double v = j.get<double>();
        if (!(v >= lo && v <= hi))
            fail(path, std::to_string(v) + " is out of range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
        return v;
    }
    std::string string(const json &j, const std::string &path, const std::set<std::string> &allowed = {}) const
    {
        if (!j.is_string())
            fail(path, "expected a string");
        std::string v = j.get<std::string>();
        if (!allowed.empty() && !allowed.count(v)) {
            std::string list;
            for (const auto &a : allowed)
                list += (list.empty() ? "" : ", ") + a;
            fail(path, "'" + v + "' is not one of " + list);
        }
        return v;
    }
    bool boolean(const json &j, const std::string &path) const
    {
        if (!j.is_boolean())
            fail(path, "expected true or false");
        return j.get<bool>();
    }
    const json &array(const json &j, const std::string &path, std::optional<std::size_t> size = {}) const
    {
        if (!j.is_array())
            fail(path, "expected an array");
        if (size && j.size() != *size)
            fail(path, "expected " + std::to_string(*size) + " entries, found " + std::to_string(j.size()));
        return j;
    }

private:
    std::string m_path;
};

const std::set<std::string> ClusterNames = {"kmeans", "kpca", "spectral", "smooth", "tmi"};
const std::set<std::string> LayerClusterNames = {"kmeans", "kpca", "spectral", "smooth"};
const std::set<std::string> SelectNames = {"greedy", "l2", "gm", "l2gm"};

int groupsValue(const Reader &r, const json &j, const std::string &path)
{
    if (j.is_string() && j.get<std::string>() == "auto")
        return 0;
    return int(r.integer(j, path, 1, 1 << 20));
}

PlanSettings settingsFromJson(const Reader &r, const json &j, const std::string &p)
{
    PlanSettings s;
    // method, importance and protect_residual came later in version 1: absent means GKP
    if (j.contains("method"))
        s.method = r.string(j["method"], Reader::join(p, "method"), {"gkp", "channel"});
    if (j.contains("importance"))
        s.importance = r.string(j["importance"], Reader::join(p, "importance"), {"l1", "l2", "group-norm"});
    if (j.contains("protect_residual"))
        s.protect_residual = r.boolean(j["protect_residual"], Reader::join(p, "protect_residual"));
    s.cluster = r.string(r.field(j, p, "cluster"), Reader::join(p, "cluster"), ClusterNames);
    s.select = r.string(r.field(j, p, "select"), Reader::join(p, "select"), SelectNames);
    s.groups = groupsValue(r, r.field(j, p, "groups"), Reader::join(p, "groups"));
    s.ratio = r.number(r.field(j, p, "ratio"), Reader::join(p, "ratio"), 0.0, 0.999999);
    if (const json &t = r.field(j, p, "target_macs_reduction"); !t.is_null())
        s.target_macs_reduction = r.number(t, Reader::join(p, "target_macs_reduction"), 0.0, 0.999999);
    // allocation and sensitivity came later in version 1: absent means uniform
    if (j.contains("allocation"))
        s.allocation = r.string(j["allocation"], Reader::join(p, "allocation"), {"uniform", "sensitivity", "global"});
    if (j.contains("sensitivity")) {
        const std::string sp = Reader::join(p, "sensitivity");
        const json &sens = j["sensitivity"];
        if (!sens.is_object())
            r.fail(sp, "expected an object");
        for (auto it = sens.begin(); it != sens.end(); ++it) {
            const std::string lp = sp + "." + it.key();
            SensitivityCurve c;
            const json &ratios = r.array(r.field(*it, lp, "ratios"), lp + ".ratios");
            const json &drops = r.array(r.field(*it, lp, "drops"), lp + ".drops", ratios.size());
            for (std::size_t i = 0; i < ratios.size(); ++i) {
                c.ratios.push_back(r.number(ratios[i], Reader::at(lp + ".ratios", i), 0.0, 0.999999));
                c.drops.push_back(r.number(drops[i], Reader::at(lp + ".drops", i), -1.0, 1.0));
            }
            s.sensitivity[it.key()] = std::move(c);
        }
    }
    if (const json &l = r.field(j, p, "lambda"); !(l.is_string() && l.get<std::string>() == "auto"))
        s.lambda = r.number(l, Reader::join(p, "lambda"), -1e9, 1e9);
    s.max_starts = int(r.integer(r.field(j, p, "max_starts"), Reader::join(p, "max_starts"), 0, 1 << 20));
    s.include_stem = r.boolean(r.field(j, p, "include_stem"), Reader::join(p, "include_stem"));
    const json &seed = r.field(j, p, "seed");
    if (!seed.is_number_unsigned() && !(seed.is_number_integer() && seed.get<int64_t>() >= 0))
        r.fail(Reader::join(p, "seed"), "expected a non-negative integer");
    s.seed = seed.get<uint64_t>();
    s.n_init = int(r.integer(r.field(j, p, "n_init"), Reader::join(p, "n_init"), 1, 1000));
    s.max_groups = int(r.integer(r.field(j, p, "max_groups"), Reader::join(p, "max_groups"), 1, 1 << 20));
    s.epsilon = r.number(r.field(j, p, "epsilon"), Reader::join(p, "epsilon"), 0.0, 1.0);
    s.latency_aware = r.boolean(r.field(j, p, "latency_aware"), Reader::join(p, "latency_aware"));
    if (j.contains("latency_batch"))
        s.latency_batch = r.integer(j["latency_batch"], Reader::join(p, "latency_batch"), 0, 1 << 20);
    if (j.contains("latency_slack"))
        s.latency_slack = r.number(j["latency_slack"], Reader::join(p, "latency_slack"), 0.0, 10.0);
    if (j.contains("channel_multiple"))
        s.channel_multiple = int(r.integer(j["channel_multiple"], Reader::join(p, "channel_multiple"), 0, 1024));
    if (j.contains("latency_runtime")) {
        std::vector<std::string> runtimes = runtimeNames();
        runtimes.push_back(OnnxRuntimeName);
        s.latency_runtime = r.string(j["latency_runtime"], Reader::join(p, "latency_runtime"),
                                     {runtimes.begin(), runtimes.end()});
    }
    const json &snaps = r.array(r.field(j, p, "snapshots"), Reader::join(p, "snapshots"));
    for (std::size_t i = 0; i < snaps.size(); ++i)
        s.snapshots.push_back(r.string(snaps[i], Reader::at(Reader::join(p, "snapshots"), i)));
    const std::string op = Reader::join(p, "overrides");
    const json &ov = r.field(j, p, "overrides");
    if (!ov.is_object())
        r.fail(op, "expected an object");
    for (auto it = ov.begin(); it != ov.end(); ++it) {
        const std::string path = op + "." + it.key();
        LayerOverride o;
        if (!it->is_object())
            r.fail(path, "expected an object");
        if (it->contains("ratio"))
            o.ratio = r.number(it->at("ratio"), path + ".ratio", 0.0, 0.999999);
        if (it->contains("groups"))
            o.groups = groupsValue(r, it->at("groups"), path + ".groups");
        if (it->contains("off"))
            o.off = r.boolean(it->at("off"), path + ".off");
        if (it->contains("on"))
            o.include = r.boolean(it->at("on"), path + ".on");
        s.overrides[it.key()] = o;
    }
    return s;
}

// A channel-method plan: its channel groups, checked against the model's channel families; the
// layers and totals follow from them.
Plan channelPlanFromJson(const Reader &r, const json &doc, const Model &model, Plan plan)
{
    const ChannelDependencies &deps = model.channelDependencies();
    const json &groups = r.array(r.field(doc, "", "channel_groups"), "channel_groups");
    std::set<int> seen;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const std::string p = Reader::at("channel_groups", i);
        const json &j = groups[i];
        ChannelGroupPlan g;
        g.family = int(r.integer(r.field(j, p, "family"), p + ".family", 0, int64_t(deps.families.size()) - 1));
        const ChannelFamily &f = deps.families[std::size_t(g.family)];
        g.name = r.string(r.field(j, p, "name"), p + ".name");
        if (g.name != f.name)
            r.fail(p + ".name", "channel family " + std::to_string(g.family) + " of this model is '" + f.name +
                                    "', not '" + g.name + "' (a plan for another model?)");
        if (!f.prunable)
            r.fail(p + ".family", "channel family '" + f.name + "' cannot be pruned (" + f.reason + ")");
        if (!seen.insert(g.family).second)
            r.fail(p + ".family", "family " + std::to_string(g.family) + " appears twice");
        g.channels = r.integer(r.field(j, p, "channels"), p + ".channels", f.channels, f.channels);
        g.ratio = r.number(r.field(j, p, "ratio"), p + ".ratio", 0.0, 1.0);
        const json &kept = r.array(r.field(j, p, "kept"), p + ".kept");
        if (kept.empty())
            r.fail(p + ".kept", "at least one channel must be kept");
        for (std::size_t k = 0; k < kept.size(); ++k) {
            const int c = int(r.integer(kept[k], Reader::at(p + ".kept", k), 0, f.channels - 1));
            if (!g.kept.empty() && c <= g.kept.back())
                r.fail(Reader::at(p + ".kept", k), "channels must be sorted and distinct");
            g.kept.push_back(c);
        }
        plan.channel_groups.push_back(std::move(g));
    }
    deriveChannelLayers(plan, model);
    return plan;
}

// Channel plans: the input features of linear layers that stay (the masked model zeroes the others).
// Written for other tools (the PyTorch check); read back, they are derived again like the layers.
json linearMasks(const Plan &plan)
{
    json out = json::array();
    for (const auto &[name, kept] : plan.linear_kept)
        out.push_back({{"name", name}, {"kept", kept}});
    return out;
}

} // namespace

json toJson(const Plan &plan)
{
    json layers = json::array();
    for (const LayerPlan &l : plan.layers) {
        layers.push_back({
            {"name", l.name},
            {"groups", l.groups},
            {"requested_groups", l.requested_groups == 0 ? json("auto") : json(l.requested_groups)},
            {"kept_per_group", l.kept_per_group},
            {"ratio", l.ratio},
            {"cluster", l.cluster},
            {"select", l.select},
            {"assignment", l.assignment},
            {"kept", l.kept},
            {"retained_energy", l.retained_energy},
            {"macs_before", l.macs_before},
            {"macs_after", l.macs_after},
            {"params_before", l.params_before},
            {"params_after", l.params_after},
            {"gather_width", l.gather_width},
            {"note", l.note},
        });
    }
    json channelGroups = json::array();
    for (const ChannelGroupPlan &g : plan.channel_groups)
        channelGroups.push_back(
            {{"family", g.family}, {"name", g.name}, {"channels", g.channels}, {"ratio", g.ratio}, {"kept", g.kept}});
    json leftDense = json::array();
    for (const LeftDense &d : plan.left_dense)
        leftDense.push_back({{"name", d.name}, {"pruned_ms", d.pruned_ms}, {"dense_ms", d.dense_ms}});
    return {
        {"format", FormatName},
        {"version", Plan::FormatVersion},
        {"tool_version", plan.tool_version},
        {"model_file", plan.model_file},
        {"model_format", plan.model_format},
        {"input_shape", plan.input_shape},
        {"settings", settingsToJson(plan.settings)},
        {"layers", layers},
        {"channel_groups", channelGroups},
        {"linear_masks", linearMasks(plan)},
        {"left_dense", leftDense},
        {"note", plan.note},
        {"totals",
         {{"macs_before", plan.totals.macs_before},
          {"macs_after", plan.totals.macs_after},
          {"params_before", plan.totals.params_before},
          {"params_after", plan.totals.params_after},
          {"macs_reduction", plan.totals.macsReduction()},
          {"deploy_macs_after", plan.totals.deploy_macs_after},
          {"params_reduction", plan.totals.paramsReduction()}}},
    };
}

std::string planToString(const Plan &plan)
{
    // Compact arrays of indices keep plan files readable and small; dump(1) is still diff-able.
    return toJson(plan).dump(1) + "\n";
}

Plan planFromJson(const json &doc, const Model &model)
{
    const Reader r;
    if (!doc.is_object())
        r.fail("", "expected a JSON object");
    if (r.string(r.field(doc, "", "format"), "format") != FormatName)
        r.fail("format", "expected \"gkp-plan\"");
    const int64_t version = r.integer(r.field(doc, "", "version"), "version", 1, 1 << 20);
    if (version > Plan::FormatVersion)
        r.fail("version", "plan format " + std::to_string(version) + " is newer than this tool understands (" +
                              std::to_string(Plan::FormatVersion) + ")");
    Plan plan;
    if (doc.contains("tool_version") && doc["tool_version"].is_string())
        plan.tool_version = doc["tool_version"].get<std::string>();
    if (doc.contains("model_file") && doc["model_file"].is_string())
        plan.model_file = doc["model_file"].get<std::string>();
    plan.model_format = toString(model.format());
    if (doc.contains("model_format")) { // absent in plans written before ONNX models opened
        const std::string format = r.string(doc["model_format"], "model_format");
        if (!modelFormatFromString(format))
            r.fail("model_format", "expected \"torchscript\" or \"onnx\"");
        if (format != plan.model_format)
            r.fail("model_format", "the plan was made for a " + format + " model; this model is " + plan.model_format);
    }
    plan.input_shape = model.inventory().input_shape;
    plan.settings = settingsFromJson(r, r.field(doc, "", "settings"), "settings");

    const Inventory &inv = model.inventory();
    if (plan.settings.method == "channel")
        return channelPlanFromJson(r, doc, model, std::move(plan));
    const json &layers = r.array(r.field(doc, "", "layers"), "layers");
    const std::string otherModel =
        " (a plan for another model?" +
        (plan.model_file.empty() ? std::string(")")
                                 : " it was made for '" + std::filesystem::path(plan.model_file).filename().string() + "')");
    std::set<std::string> seen;
    int lastIndex = -1;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const std::string p = Reader::at("layers", i);
        const json &j = layers[i];
        LayerPlan l;
        l.name = r.string(r.field(j, p, "name"), p + ".name");
        const ConvLayer *conv = inv.find(l.name);
        if (!conv)
            r.fail(p + ".name", "the model has no convolution named '" + l.name + "'" + otherModel);
        if (!conv->prunable)
            r.fail(p + ".name", "'" + l.name + "' is not prunable (" + conv->reason + ")");
        if (!seen.insert(l.name).second)
            r.fail(p + ".name", "'" + l.name + "' appears twice");
        if (conv->index <= lastIndex)
            r.fail(p + ".name", "layers must be in execution order");
        lastIndex = conv->index;
        l.layer = conv->index;
        const int64_t cout = conv->out_channels, cin = conv->in_channels;
        // A layer of the same name but another shape: say so before any count is out of range.
        const json &assigned = r.field(j, p, "assignment");
        if (assigned.is_array() && assigned.size() != std::size_t(cout))
            r.fail(p + ".assignment", "the plan gives '" + l.name + "' " + std::to_string(assigned.size()) +
                                          " filters; this model's has " + std::to_string(cout) + otherModel);
        if (j.contains("kept_per_group") && j["kept_per_group"].is_number_integer() &&
            j["kept_per_group"].get<int64_t>() > cin)
            r.fail(p + ".kept_per_group", "the plan keeps " + std::to_string(j["kept_per_group"].get<int64_t>()) +
                                              " input channels per group of '" + l.name + "'; this model's has " +
                                              std::to_string(cin) + otherModel);
        l.groups = int(r.integer(r.field(j, p, "groups"), p + ".groups", 1, cout));
        if (cout % l.groups != 0)
            r.fail(p + ".groups", std::to_string(l.groups) + " does not divide out_channels " + std::to_string(cout));
        l.requested_groups = j.contains("requested_groups") ? groupsValue(r, j["requested_groups"], p + ".requested_groups")
                                                            : l.groups;
        l.kept_per_group = int(r.integer(r.field(j, p, "kept_per_group"), p + ".kept_per_group", 1, cin));
        l.ratio = r.number(r.field(j, p, "ratio"), p + ".ratio", 0.0, 1.0);
        l.cluster = r.string(r.field(j, p, "cluster"), p + ".cluster", LayerClusterNames);
        l.select = r.string(r.field(j, p, "select"), p + ".select", SelectNames);
        const json &assignment = r.array(r.field(j, p, "assignment"), p + ".assignment", std::size_t(cout));
        std::vector<int> sizes(static_cast<std::size_t>(l.groups), 0);
        for (std::size_t o = 0; o < assignment.size(); ++o) {
            const int g = int(r.integer(assignment[o], Reader::at(p + ".assignment", o), 0, l.groups - 1));
            l.assignment.push_back(g);
            ++sizes[static_cast<std::size_t>(g)];
        }
        for (std::size_t g = 0; g < sizes.size(); ++g)
            if (sizes[g] != cout / l.groups)
                r.fail(p + ".assignment", "group " + std::to_string(g) + " has " + std::to_string(sizes[g]) +
                                              " filters; every group must have " + std::to_string(cout / l.groups));
        const json &kept = r.array(r.field(j, p, "kept"), p + ".kept", std::size_t(l.groups));
        for (std::size_t g = 0; g < kept.size(); ++g) {
            const std::string kp = Reader::at(p + ".kept", g);
            const json &ch = r.array(kept[g], kp, std::size_t(l.kept_per_group));
            std::vector<int> channels;
            for (std::size_t k = 0; k < ch.size(); ++k) {
                const int c = int(r.integer(ch[k], Reader::at(kp, k), 0, cin - 1));
                if (!channels.empty() && c <= channels.back())
                    r.fail(Reader::at(kp, k), "channels must be sorted and distinct");
                channels.push_back(c);
            }
            l.kept.push_back(std::move(channels));
        }
        l.retained_energy = r.number(r.field(j, p, "retained_energy"), p + ".retained_energy", 0.0, 1.0 + 1e-6);
        if (j.contains("note") && j["note"].is_string())
            l.note = j["note"].get<std::string>();
        updateCosts(l, model);
        plan.layers.push_back(std::move(l));
    }
    if (doc.contains("left_dense")) {
        const json &left = r.array(doc["left_dense"], "left_dense");
        for (std::size_t i = 0; i < left.size(); ++i) {
            const std::string p = Reader::at("left_dense", i);
            LeftDense d;
            d.name = r.string(r.field(left[i], p, "name"), p + ".name");
            if (!inv.find(d.name))
                r.fail(p + ".name", "the model has no convolution named '" + d.name + "'");
            if (seen.count(d.name))
                r.fail(p + ".name", "'" + d.name + "' is also a pruned layer");
            d.pruned_ms = r.number(r.field(left[i], p, "pruned_ms"), p + ".pruned_ms", 0.0, 1e9);
            d.dense_ms = r.number(r.field(left[i], p, "dense_ms"), p + ".dense_ms", 0.0, 1e9);
            plan.left_dense.push_back(std::move(d));
        }
    }
    if (doc.contains("note"))
        plan.note = r.string(doc["note"], "note");
    updateTotals(plan, model);
    return plan;
}

Plan planFromString(const std::string &text, const Model &model)
{
    json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
        try {
            (void)json::parse(text);
        } catch (const json::parse_error &e) {
            // nlohmann's "[json.exception.parse_error.101] parse error at line 3, column 1: syntax error
            // while parsing array - unexpected end of input; expected ']'", without its internals
            const std::string what = e.what();
            std::string where, why = what;
            const auto at = what.find(" at line ");
            const auto colon = at == std::string::npos ? at : what.find(": ", at);
            if (colon != std::string::npos) {
                where = what.substr(at + 1, colon - at - 1) + ": ";
                why = what.substr(colon + 2);
            }
            if (const auto dash = why.find(" - "); dash != std::string::npos)
                why = why.substr(dash + 3);
            throw Error("invalid plan: not valid JSON (" + where + why + ")");
        }
    }
    return planFromJson(doc, model);
}

Plan loadPlan(const std::string &path, const Model &model)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error("cannot open plan '" + path + "': no such file or unreadable");
    std::stringstream ss;
    ss << in.rdbuf();
    try {
        return planFromString(ss.str(), model);
    } catch (const Error &e) {
        throw Error("'" + path + "': " + e.what());
    }
}

void savePlan(const Plan &plan, const std::string &path)
{
    writeFileAtomically(path, planToString(plan));
}

} // namespace gkp
