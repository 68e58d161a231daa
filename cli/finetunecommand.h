#pragma once

namespace CLI {
class App;
}

namespace gkp::cli {

void addFinetuneCommand(CLI::App &app); // gkp finetune

} // namespace gkp::cli
