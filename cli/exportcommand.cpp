#include "exportcommand.h"

#include "runtime/benchmark.h"
#include "runtime/filetiming.h"
#include "runtime/onnxruntimebench.h"
#include "export/exporter.h"
#include "onnx/onnxexport.h"
#include "options.h"
#include "engine/planjson.h"
#include "progressbar.h"
#include "table.h"

#include <algorithm>
#include <CLI/CLI.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace gkp::cli {

namespace {

std::string fmt(const char *format, double v)
{
    char buf[256]; // the longest format here is a sentence around one number
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

void printVerify(const VerifyResult &v)
{
    for (std::size_t k = 0; k < v.outputs.size(); ++k)
        std::cerr << "output " << k << ": max abs error " << fmt("%.3g", v.outputs[k].max_abs) << ", max relative error "
                  << fmt("%.3g", v.outputs[k].max_rel) << '\n';
    std::cerr << (v.passed ? "verified" : "NOT verified") << ": " << v.inputs << " random inputs, max relative error "
              << fmt("%.3g", v.max_rel) << (v.passed ? " <= " : " > ") << fmt("%g", v.tolerance) << '\n';
}

} // namespace

void addExportCommand(CLI::App &app)
{
    struct Options
    {
        ModelOptions model;
        std::string plan, output, mode = "deploy", form, runtime;
        bool noVerify = false, noTiming = false, keepSlower = false;
        double minSpeedup = DefaultMinSpeedup; // at most 5 % slower: the noise of a 7-run median here
        int64_t batch = 0;
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("export", "Write the pruned model as grouped-convolution TorchScript (.pt) or ONNX (.onnx, ONNX models)");
    o->model.addTo(*cmd);
    cmd->add_option("--plan", o->plan, "Plan JSON (gkp plan -o)")->required();
    cmd->add_option("-o,--output", o->output, "Output file: .pt writes TorchScript; .onnx (ONNX models) a pruned ONNX file, its forms not timed")->required();
    cmd->add_option("--mode", o->mode, "deploy (frozen, BatchNorm folded, fastest) or trainable")
        ->capture_default_str()
        ->check(CLI::IsMember({"deploy", "trainable"}));
    cmd->add_option("--form", o->form,
                    "Force one form for every layer: grouped, split, masked-dense, or gather-free (grouped; a "
                    "sole dense producer computes the gathered channels itself, repeating shared ones)")
        ->check(CLI::IsMember({"grouped", "split", "masked-dense", "gather-free"}));
    cmd->add_option("--batch", o->batch, "Batch size the per-layer timing uses (default: the plan's --latency-batch, else the model's)");
    cmd->add_option("--runtime", o->runtime,
                    "Deploy: time forms as they run in this runtime: frozen (as loaded) or onednn (after "
                    "torch.jit.optimize_for_inference; verified there too). Default: the plan's latency runtime")
        ->check(CLI::IsMember(runtimeNames()));
    cmd->add_flag("--no-timing", o->noTiming, "Deploy: do not time forms; write every layer grouped");
    cmd->add_flag("--no-verify", o->noVerify, "Do not verify against the masked model (not recommended)");
    cmd->add_flag("--keep-slower", o->keepSlower,
                  "Deploy: write the file even when, timed whole against the original after verification, it "
                  "runs more than 5 % slower (an .onnx file is timed in ONNX Runtime, when it is installed)");
    cmd->add_option("--min-speedup", o->minSpeedup,
                    "Deploy: the speed-up over the original (whole file, original ms / pruned ms) below which the "
                    "file is not written, e.g. 1.3; default 0.952 (no more than 5 % slower)")
        ->check(CLI::PositiveNumber);
    cmd->callback([o] {
        const Model model = Model::load(o->model.model, o->model.loadOptions());
        const bool onnxOut = isOnnxOutput(o->output);
        if (model.format() == ModelFormat::Onnx && !onnxOut)
            std::cerr << "note: " << model.path() << " is an ONNX model: the pruned model is written as TorchScript "
                         "(give an .onnx output for a pruned ONNX file)\n";
        if (onnxOut && model.format() != ModelFormat::Onnx)
            throw Error("cannot write '" + o->output + "': pruned ONNX files are written for ONNX models only; give "
                        "a .pt output and convert the deploy export with torch.onnx.export");
        const Plan plan = loadPlan(o->plan, model);
        ExportOptions eo;
        eo.mode = o->mode == "trainable" ? ExportMode::Trainable : ExportMode::Deploy;
        eo.verify = !o->noVerify;
        eo.choose_fastest = !o->noTiming;
        eo.timing_batch = o->batch;
        eo.timing_batch = formTimingBatch(eo, plan, model); // --batch, else the plan's latency batch
        // (a plan made for ONNX Runtime: forms are chosen in LibTorch, frozen; the file is timed in ORT)
        eo.runtime = runtimeFromString(o->runtime.empty() ? plan.settings.latency_runtime : o->runtime)
                         .value_or(Runtime::Frozen);
        if (!o->form.empty())
            eo.force_form = layerFormFromString(o->form);
        // A deploy file is timed whole against the original, prepared alike and interleaved, in the
        // runtime its forms were chosen for (a pruned ONNX file in ONNX Runtime, where such files
        // run, when it is installed); a clearly slower one is not written.
        FileSpeed speed;
        const int64_t batch = eo.timing_batch; // always set: formTimingBatch
        constexpr int SpeedRuns = 7;
        std::string untimed;
        if (eo.mode == ExportMode::Deploy && eo.verify && (model.format() == ModelFormat::TorchScript || onnxOut))
            eo.check_written = [&](const Model &written) {
                try {
                    speed = timeAgainstOriginal(model, written, eo.runtime, batch, SpeedRuns);
                } catch (const Error &e) {
                    if (!onnxOut)
                        throw;
                    untimed = e.what(); // no ONNX Runtime (or it does not run): the file stands, untimed
                    return;
                }
                if (!o->keepSlower && speed.speedup() < o->minSpeedup)
                    throw Error(slowFileMessage(speed, fmt("--min-speedup %.3g", o->minSpeedup)) +
                                ". Fewer groups (--groups 1 or 2, or gkp plan --groups auto --latency-aware) give "
                                "faster forms; --keep-slower writes it anyway");
            };
        ExportResult r;
        {
            ProgressBar bar("exporting");
            r = exportModel(model, plan, o->output, eo, bar.callback());
        }
        Table t({"layer", "form", "gather", "order", "dense ms", "grouped ms", "split ms", "gather-free ms"},
                {false, false, false, false, true, true, true, true});
        for (const LayerExport &e : r.layers) {
            auto ms = [&](const char *k) {
                auto it = e.timings_ms.find(k);
                return it == e.timings_ms.end() ? std::string("-") : fmt("%.3f", it->second);
            };
            t.addRow({e.name, toString(e.form), e.gather_skipped ? "none" : "index_select",
                      e.form == LayerForm::MaskedDense || e.form == LayerForm::Smaller ? "-" : (e.permutation_folded ? "folded" : "restored"),
                      e.dense_ms > 0 ? fmt("%.3f", e.dense_ms) : "-", ms("grouped"), ms("split"), ms("gather-free")});
        }
        t.print(std::cerr);
        const auto dense = std::count_if(r.layers.begin(), r.layers.end(),
                                         [](const LayerExport &e) { return e.form == LayerForm::MaskedDense; });
        if (dense > 0 && !eo.force_form)
            std::cerr << (dense == std::ptrdiff_t(r.layers.size()) ? "note: every" : "note: " + std::to_string(dense) + " of")
                      << " " << r.layers.size() << " planned layer(s) ran slower pruned than dense here (timed in the "
                      << toString(eo.runtime) << " runtime, batch " << eo.timing_batch
                      << ") and are written masked-dense: same result, no fewer MACs"
                      << (dense == std::ptrdiff_t(r.layers.size()) ? "; the file is not faster than the original. Fewer "
                                                                       "groups (--groups 1 or 2) or a higher ratio give "
                                                                       "forms that are faster"
                                                                     : "")
                      << "\n";
        for (const ChannelTrim &c : r.trimmed)
            if (c.gather_order_for.empty())
                std::cerr << "removed unread output channels of " << c.name << ": " << c.before << " -> " << c.after
                          << "\n";
            else
                std::cerr << c.name << " computes the channels " << c.gather_order_for << " reads, in its order (no "
                          << "gather): " << c.before << " -> " << c.after << " output channels\n";
        if (eo.verify) {
            printVerify(r.verify);
            if (eo.runtime != Runtime::Frozen && eo.mode == ExportMode::Deploy && !onnxOut)
                std::cerr << "(figures in the " << toString(eo.runtime)
                          << " runtime, where the forms were timed; the file as loaded passed first)\n";
            const double before = double(model.inventory().totals.conv_macs);
            const double fileCut = 1.0 - double(r.conv_macs) / before;
            const double gap = std::abs(fileCut - plan.totals.deployMacsReduction());
            std::cerr << "conv MACs per example: " << humanCount(before) << " -> " << humanCount(double(r.conv_macs))
                      << fmt(" (-%.2f %%; the plan counts ", 100.0 * fileCut) << humanCount(double(plan.totals.macs_after))
                      << fmt(", its deploy estimate -%.2f %%)\n", 100.0 * plan.totals.deployMacsReduction());
            // The plan and its file must agree: say where they part by more than 2 points.
            // (a masked-dense trainable keeps every MAC on purpose: it trains faster; said below)
            const bool trainsMasked = r.train_step && r.train_step->chosen == LayerForm::MaskedDense;
            if (plan.totals.deploy_macs_after > 0 && gap > 0.02 && !trainsMasked) {
                double kept = 0.0;
                for (const LayerExport &e : r.layers)
                    if (e.form == LayerForm::MaskedDense)
                        if (const LayerPlan *l = plan.find(e.name))
                            kept += double(model.inventory().layers.at(std::size_t(l->layer)).macs - l->macs_after);
                std::cerr << fmt("the file cuts %.2f", 100.0 * fileCut)
                          << fmt(" %% of the conv MACs, %.2f points from the plan's deploy estimate", 100.0 * gap)
                          << (kept > 0 ? ": the " + std::to_string(dense) + " masked-dense layer(s) keep " + humanCount(kept) +
                                             " MACs the plan removes"
                                       : std::string(""))
                          << "\n";
            }
            if (speed.original_ms > 0)
                std::cerr << "whole file: " << fmt("%.3f", speed.original_ms) << " ms -> " << fmt("%.3f", speed.file_ms)
                          << fmt(" ms (%.2fx; medians of ", speed.speedup()) << speed.runs << " interleaved runs, "
                          << speed.runtime << " runtime, batch " << speed.batch << ")\n";
            else if (!untimed.empty())
                std::cerr << "note: the file was not timed against the original: " << untimed << "\n";
        }
        if (r.train_step)
            std::cerr << "trainable form: " << toString(r.train_step->chosen) << " (a training step at batch "
                      << r.train_step->batch << fmt(": %.1f ms grouped, ", r.train_step->grouped_ms)
                      << fmt("%.1f ms masked-dense, medians", r.train_step->masked_dense_ms)
                      << (r.train_step->chosen == LayerForm::MaskedDense
                              ? "; the pruned kernels are kept at zero while training, and gkp finetune --deploy-out "
                                "exports the trained model in the fast deploy forms)\n"
                              : ")\n");
        std::cerr << "wrote " << r.path << " (" << humanCount(double(r.file_bytes)) << "B, "
                  << (eo.mode == ExportMode::Deploy ? "deploy" : "trainable") << ")\n";
    });
}

void addVerifyCommand(CLI::App &app)
{
    struct Options
    {
        ModelOptions model;
        std::string exported;
        int inputs = 8;
        double tolerance = 1e-4;
        bool json = false;
        std::string runtime = "frozen";
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("verify", "Check an exported model against the masked original");
    o->model.addTo(*cmd, "The original model (.pt or .onnx)");
    cmd->add_option("exported", o->exported, "The exported model (carries its plan)")->required();
    cmd->add_option("--inputs", o->inputs, "Random inputs to compare on")->capture_default_str();
    cmd->add_option("--tolerance", o->tolerance, "Max relative error")->capture_default_str();
    cmd->add_option("--runtime", o->runtime,
                    "Run the exported model as loaded (frozen) or after torch.jit.optimize_for_inference (onednn)")
        ->capture_default_str()
        ->check(CLI::IsMember(runtimeNames()));
    cmd->add_flag("--json", o->json, "Print the result as JSON");
    cmd->callback([o] {
        const Model original = Model::load(o->model.model, o->model.loadOptions());
        LoadOptions lo;
        lo.input_shape = original.inventory().input_shape;
        const Model exported = Model::load(o->exported, lo);
        const VerifyResult v = verifyExport(original, exported, o->inputs, o->tolerance, *runtimeFromString(o->runtime));
        printVerify(v);
        if (o->json) {
            nlohmann::json outs = nlohmann::json::array();
            for (const OutputError &e : v.outputs)
                outs.push_back({{"max_abs", e.max_abs}, {"max_rel", e.max_rel}});
            std::cout << nlohmann::json{{"passed", v.passed}, {"inputs", v.inputs}, {"max_abs", v.max_abs},
                                        {"max_rel", v.max_rel}, {"tolerance", v.tolerance}, {"outputs", outs}}
                             .dump(2)
                      << '\n';
        }
        if (!v.passed)
            throw Error("verification failed");
    });
}

void addBenchCommand(CLI::App &app)
{
    struct Options
    {
        std::vector<std::string> models;
        std::string input_shape, batches = "1,8,32";
        BenchOptions bench;
        bool json = false, noFreeze = false, noLayers = false;
        std::string runtime = "frozen";
    };
    auto o = std::make_shared<Options>();
    auto *cmd = app.add_subcommand("bench", "Measure latency of one model, or of two side by side");
    cmd->add_option("models", o->models, "MODEL [OTHER] (.pt or .onnx)")->required()->expected(1, 2);
    cmd->add_option("--input-shape", o->input_shape, "Example input shape N,C,H,W");
    cmd->add_option("--batch", o->batches, "Batch sizes, comma separated")->capture_default_str();
    cmd->add_option("--runs", o->bench.runs, "Timed runs per batch size")->capture_default_str();
    cmd->add_flag("--no-freeze", o->noFreeze, "Time models as they are (default: freeze, folding BatchNorm)");
    cmd->add_flag("--no-layers", o->noLayers, "Skip the per-layer comparison");
    cmd->add_flag("--channels-last", o->bench.channels_last,
                  "Feed every model channels-last (NHWC) inputs, so convolutions skip layout conversions");
    std::vector<std::string> runtimes = runtimeNames();
    runtimes.push_back("onnxruntime");
    cmd->add_option("--runtime", o->runtime,
                    "frozen: run the models as loaded; onednn: through torch.jit.optimize_for_inference first "
                    "(prepacked oneDNN convolutions); onnxruntime: ONNX files in ONNX Runtime (tools/ort-run.mjs, "
                    "Node + onnxruntime-node)")
        ->check(CLI::IsMember(runtimes))
        ->capture_default_str();
    cmd->add_flag("--json", o->json, "Print JSON");
    cmd->callback([o] {
        o->bench.freeze = !o->noFreeze;
        const bool onnxRuntime = o->runtime == "onnxruntime";
        o->bench.runtime = runtimeFromString(o->runtime).value_or(Runtime::Frozen);
        o->bench.batches.clear();
        std::stringstream ss(o->batches);
        for (std::string b; std::getline(ss, b, ',');)
            o->bench.batches.push_back(parseShape("1," + b)[1]);
        LoadOptions lo;
        if (!o->input_shape.empty())
            lo.input_shape = parseShape(o->input_shape);
        std::vector<Model> models;
        for (const std::string &p : o->models) {
            models.push_back(Model::load(p, lo));
            if (!lo.input_shape)
                lo.input_shape = models.front().inventory().input_shape;
        }
        std::vector<const Model *> ptrs;
        for (const Model &m : models)
            ptrs.push_back(&m);
        BenchResult r;
        {
            ProgressBar bar("timing");
            r = onnxRuntime ? benchmarkInOnnxRuntime(ptrs, o->bench, bar.callback())
                            : benchmarkModels(ptrs, o->bench, bar.callback());
        }
        std::vector<std::string> headers{"batch"};
        for (std::size_t k = 0; k < models.size(); ++k) {
            headers.push_back(std::string(k ? "B" : "A") + " median ms");
            headers.push_back(std::string(k ? "B" : "A") + " min ms");
        }
        if (models.size() == 2)
            headers.push_back("speed-up (A/B median)");
        Table t(headers, std::vector<bool>(headers.size(), true));
        nlohmann::json rows = nlohmann::json::array();
        for (std::size_t b = 0; b < r.batches.size(); ++b) {
            std::vector<std::string> row{std::to_string(r.batches[b])};
            nlohmann::json jr{{"batch", r.batches[b]}};
            for (std::size_t k = 0; k < models.size(); ++k) {
                row.push_back(fmt("%.3f", r.median_ms[k][b]));
                row.push_back(fmt("%.3f", r.min_ms[k][b]));
                jr["median_ms"].push_back(r.median_ms[k][b]);
                jr["min_ms"].push_back(r.min_ms[k][b]);
            }
            if (models.size() == 2) {
                const double s = r.median_ms[0][b] / r.median_ms[1][b];
                row.push_back(fmt("%.2fx", s));
                jr["speedup"] = s;
            }
            t.addRow(row);
            rows.push_back(jr);
        }
        std::ostream &out = o->json ? std::cerr : std::cout;
        for (std::size_t k = 0; k < models.size(); ++k)
            out << (k ? "B: " : "A: ") << models[k].path() << '\n';
        t.print(out);

        nlohmann::json layers = nlohmann::json::array();
        if (models.size() == 2 && !o->noLayers && onnxRuntime)
            out << "(no per-layer comparison in ONNX Runtime: the files are timed whole)\n";
        if (models.size() == 2 && !o->noLayers && !onnxRuntime) {
            auto it = models[1].extraFiles().find(extra::Plan);
            if (it != models[1].extraFiles().end()) {
                const Plan plan = planFromString(it->second, models[0]);
                Table lt({"layer", "G", "dense ms", "grouped ms", "split ms", "note"},
                         {false, true, true, true, true, false});
                for (const LayerPlan &l : plan.layers) {
                    LayerExport e;
                    TimingContext context;
                    context.runtime = o->bench.runtime;
                    timeLayerForms(models[0], l, r.batches.back(), 5, e, context);
                    const double g = e.timings_ms["grouped"];
                    const double s = e.timings_ms.count("split") ? e.timings_ms["split"] : 0.0;
                    const double best = s > 0 ? std::min(g, s) : g;
                    lt.addRow({l.name, std::to_string(l.groups), fmt("%.3f", e.dense_ms), fmt("%.3f", g),
                               s > 0 ? fmt("%.3f", s) : "-", best > e.dense_ms ? "grouped form slower than dense" : ""});
                    layers.push_back({{"name", l.name}, {"groups", l.groups}, {"dense_ms", e.dense_ms},
                                      {"grouped_ms", g}, {"split_ms", s}, {"slower", best > e.dense_ms}});
                }
                out << "\nper pruned layer, batch " << r.batches.back() << " (B's plan on A's weights):\n";
                lt.print(out);
            }
        }
        if (o->json) {
            nlohmann::json doc{{"models", r.models},
                               {"channels_last", o->bench.channels_last},
                               {"runtime", o->runtime},
                               {"results", rows},
                               {"layers", layers}};
            std::cout << doc.dump(2) << '\n';
        }
    });
}

} // namespace gkp::cli
