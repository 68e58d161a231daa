#pragma once

#include "util/error.h"

#include <string>

namespace gkp::cli {

// A progress bar on stderr (only when stderr is a terminal) that also carries Ctrl-C: after
// SIGINT the callback returns false, so core loops stop and nothing is written.
class ProgressBar
{
public:
    explicit ProgressBar(std::string label);
    ~ProgressBar();
    ProgressFn callback();
    static bool interrupted();
    // Catch SIGINT for the whole run: Ctrl-C sets a flag that every progress callback reports,
    // so long work stops at the next step and nothing half-done is written.
    static void installInterruptHandler();

private:
    std::string m_label;
    bool m_tty;
    int m_lastPermille = -1;
};

} // namespace gkp::cli
