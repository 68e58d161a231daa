#pragma once

#include "error.h"

#include <chrono>
#include <string>

namespace gkp::cli {

// A one-line progress bar on stderr, drawn only when stderr is a terminal so that logs and
// captured output stay clean. Never cancels.
class ProgressBar
{
public:
    explicit ProgressBar(std::string label);
    ~ProgressBar(); // ends the line if anything was drawn

    ProgressFn callback();

private:
    void draw(int done, int total);

    std::string m_label;
    bool m_enabled;
    bool m_drawn = false;
    std::chrono::steady_clock::time_point m_last;
};

} // namespace gkp::cli
