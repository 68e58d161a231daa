#include "progressbar.h"

#include <cstdio>
#include <unistd.h>

namespace gkp::cli {

ProgressBar::ProgressBar(std::string label) : m_label(std::move(label)), m_enabled(isatty(STDERR_FILENO) == 1)
{
}

ProgressBar::~ProgressBar()
{
    if (m_drawn)
        std::fputc('\n', stderr);
}

ProgressFn ProgressBar::callback()
{
    return [this](int done, int total) {
        draw(done, total);
        return true;
    };
}

void ProgressBar::draw(int done, int total)
{
    if (!m_enabled || total <= 0)
        return;
    // Redraw at most ~20 times a second; always draw the final state.
    const auto now = std::chrono::steady_clock::now();
    if (m_drawn && done < total && now - m_last < std::chrono::milliseconds(50))
        return;
    m_last = now;
    constexpr int Width = 30;
    const int filled = int(int64_t(Width) * done / total);
    std::fprintf(
        stderr, "\r%s [%s%s] %3d%% %d/%d", m_label.c_str(), std::string(std::size_t(filled), '#').c_str(),
        std::string(std::size_t(Width - filled), ' ').c_str(), int(int64_t(100) * done / total), done, total);
    std::fflush(stderr);
    m_drawn = true;
}

} // namespace gkp::cli
