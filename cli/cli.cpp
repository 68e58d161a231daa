#include "cli.h"

#include "util/error.h"
#include "runtime/threads.h"
#include "analysiscommands.h"
#include "evalcommand.h"
#include "finetunecommand.h"
#include "inspectcommand.h"
#include "plancommand.h"
#include "progressbar.h"
#include "exportcommand.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace gkp::cli {

int run(int argc, char **argv)
{
    CLI::App app{"gkp: Grouped Kernel Pruning of convolutional networks (TorchScript and ONNX models)", "gkp"};
    app.set_version_flag("--version", std::string("gkp ") + GKP_VERSION);
    app.require_subcommand(1);
    configureThreads();
    ProgressBar::installInterruptHandler();
    app.add_option_function<int>(
           "--threads", [](int threads) { configureThreads(threads); }, "LibTorch threads (default: one per core)")
        ->check(CLI::PositiveNumber);
    addInspectCommand(app);
    addPlanCommand(app);
    addExportCommand(app);
    addVerifyCommand(app);
    addBenchCommand(app);
    addEvalCommand(app);
    addSensitivityCommand(app);
    addCompareCommand(app);
    addFrontierCommand(app);
    addFinetuneCommand(app);
    try {
        app.parse(argc, argv);
        if (ProgressBar::interrupted())
            throw Cancelled();
    } catch (const CLI::ParseError &e) {
        return app.exit(e);
    } catch (const Cancelled &) {
        std::cerr << "gkp: cancelled\n";
        return 130;
    } catch (const Error &e) {
        std::cerr << "gkp: error: " << e.what() << '\n';
        return 1;
    } catch (const std::exception &e) {
        std::cerr << "gkp: internal error: " << e.what() << '\n';
        return 2;
    }
    return 0;
}

} // namespace gkp::cli
