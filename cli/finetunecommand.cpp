#include "finetunecommand.h"

#include "datasetoptions.h"
#include "distributedoptions.h"
#include "eval/finetune.h"
#include "model/model.h"
#include "progressbar.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace gkp::cli {

namespace {

struct FinetuneCliOptions
{
    std::string model;
    std::string dataset;
    std::string validation;
    std::string output, deployOutput;
    int64_t limit = -1;
    int64_t valLimit = -1;
    bool noValidation = false;
    FinetuneOptions options;
    bool noAugment = false;
    double bucketMb = 25.0;
    DistributedOptions distributed;
};

void run(FinetuneCliOptions &o)
{
    o.options.augment = !o.noAugment;
    o.options.bucket_bytes = int64_t(o.bucketMb * 1024.0 * 1024.0);
    // Join first: a rank that then fails to load anything makes the others fail at once.
    const std::unique_ptr<Communicator> communicator = o.distributed.join();
    o.options.communicator = communicator.get();
    const bool mainRank = !communicator || communicator->isMain();
    LoadOptions raw;
    raw.analyse = false;
    const Model probe = Model::load(o.model, raw); // clear message for a missing or foreign file first
    if (!probe.extraFiles().count(extra::Plan))
        throw Error("'" + o.model + "' carries no GKP plan: fine-tune a trainable export (gkp export --mode trainable)");
    // --dataset names the data; training uses its training split unless it is a folder/idx
    const DatasetFormat format = parseDatasetSpec(o.dataset).format;
    const Dataset train = format == DatasetFormat::Idx || format == DatasetFormat::Folder
                              ? loadDatasetFor(o.dataset, probe.inventory(), o.limit, "training data")
                              : loadTrainingSplit(o.dataset, "", probe.inventory(), o.limit, "training data", "--dataset");
    Dataset validation;
    if (!o.noValidation)
        validation = o.validation.empty() ? loadDatasetFor(o.dataset, probe.inventory(), o.valLimit, "validation data")
                                          : loadDatasetFor(o.validation, probe.inventory(), o.valLimit, "validation data");

    const bool tty = ::isatty(2);
    auto callback = [&](const FinetuneProgress &p) {
        if (!mainRank)
            return !ProgressBar::interrupted();
        char line[200];
        std::snprintf(line, sizeof line, "epoch %d/%d  step %lld/%lld  loss %.4f  lr %.5f", p.epoch + 1, p.epochs,
                      static_cast<long long>(p.step), static_cast<long long>(p.steps), p.loss, p.lr);
        std::string text = line;
        if (p.val_top1) {
            std::snprintf(line, sizeof line, "  validation top-1 %.2f%%", 100.0 * *p.val_top1);
            text += line;
        }
        if (tty && !p.val_top1)
            std::cerr << '\r' << text << "\033[K" << std::flush;
        else
            std::cerr << (tty ? "\r" : "") << text << (tty ? "\033[K" : "") << '\n';
        return !ProgressBar::interrupted();
    };
    const FinetuneResult r = finetuneFile(o.model, train, o.noValidation ? nullptr : &validation, o.options, o.output,
                                          o.deployOutput, callback);
    if (!mainRank)
        return;
    if (tty)
        std::cerr << '\n';
    std::cout << "fine-tuned " << o.model << " for " << o.options.epochs << " epoch(s) on " << train.size()
              << " images\n";
    if (communicator) {
        char buf[240];
        std::snprintf(buf, sizeof buf,
                      "data-parallel over %d ranks: global batch %lld (%d per rank), %d BatchNorm synchronised, %zu "
                      "gradient bucket(s) per step, ranks differ by %.3g at the end\n",
                      r.ranks, static_cast<long long>(o.options.batch) * r.ranks, o.options.batch, r.sync_batchnorm,
                      r.gradient_buckets, r.rank_divergence);
        std::cout << buf;
    }
    if (r.validation) {
        char buf[120];
        std::snprintf(buf, sizeof buf, "validation top-1 %.2f%%, top-5 %.2f%% (%lld images)\n",
                      100.0 * r.validation->top1, 100.0 * r.validation->top5,
                      static_cast<long long>(r.validation->samples));
        std::cout << buf;
    }
    std::cout << "pruned kernels: " << r.pruned.layers << " pruned layers, " << r.pruned.absent
              << " with the pruned kernels absent (grouped), " << r.pruned.masked << " masked-dense, "
              << r.pruned.nonzero_pruned << " nonzero pruned weights\n";
    std::cout << "wrote " << o.output << " (trainable)";
    if (r.deploy_export) {
        int grouped = 0;
        for (const LayerExport &e : r.deploy_export->layers)
            grouped += e.form != LayerForm::MaskedDense ? 1 : 0;
        std::cout << " and " << o.deployOutput << " (deploy: exported from the trained masked-dense model, "
                  << grouped << " of " << r.deploy_export->layers.size()
                  << " pruned layers in a pruned form, masked-dense where that ran slower; verified)";
    } else if (!o.deployOutput.empty())
        std::cout << " and " << o.deployOutput << " (deploy: frozen, BatchNorm folded)";
    std::cout << '\n';
}

} // namespace

void addFinetuneCommand(CLI::App &app)
{
    auto *cmd = app.add_subcommand(
        "finetune", "Fine-tune a trainable export (SGD; data-parallel under torchrun); write trainable and deploy results");
    auto o = std::make_shared<FinetuneCliOptions>();
    cmd->add_option("model", o->model, "Trainable export (gkp export --mode trainable)")->required();
    cmd->add_option("--dataset", o->dataset,
                    std::string(DatasetHelp) + ". Trains on its training split (a folder or idx dataset is used as given)")
        ->required();
    cmd->add_option("-o,--output", o->output, "Fine-tuned trainable model (.pt)")->required();
    cmd->add_option("--deploy-out", o->deployOutput, "Also write the deploy form (frozen, BatchNorm folded)");
    cmd->add_option("--epochs", o->options.epochs, "Epochs")->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--lr", o->options.lr, "Initial learning rate")->check(CLI::PositiveNumber)->capture_default_str();
    cmd->add_option("--momentum", o->options.momentum, "SGD momentum")->check(CLI::Range(0.0, 0.999))->capture_default_str();
    cmd->add_option("--weight-decay", o->options.weight_decay, "Weight decay")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd->add_option("--batch", o->options.batch, "Batch size (per rank under torchrun)")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--schedule", o->options.schedule, "Learning-rate schedule: cosine, step, constant")
        ->check(CLI::IsMember({"cosine", "step", "constant"}))
        ->capture_default_str();
    cmd->add_option("--step-epochs", o->options.step_epochs, "step schedule: epochs between decays")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd->add_option("--gamma", o->options.step_gamma, "step schedule: decay factor")->capture_default_str();
    cmd->add_flag("--no-augment", o->noAugment, "No random crop / horizontal flip");
    cmd->add_option("--seed", o->options.seed, "Shuffling and augmentation seed")->capture_default_str();
    cmd->add_option("--limit", o->limit, "Train on the first N training images only")->check(CLI::PositiveNumber);
    cmd->add_option("--validation", o->validation, "Validation dataset SPEC (default: --dataset's test split)");
    cmd->add_option("--val-limit", o->valLimit, "Validate on the first N images only")->check(CLI::PositiveNumber);
    cmd->add_flag("--no-validation", o->noValidation, "Skip validation");
    cmd->add_option("--eval-every", o->options.eval_every, "Validate every N steps too (0: per epoch)")
        ->capture_default_str();
    cmd->add_option("--bucket-mb", o->bucketMb, "Under torchrun: gradient all-reduce bucket size in MiB")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    o->distributed.addTo(*cmd);
    cmd->callback([o] { run(*o); });
}

} // namespace gkp::cli
