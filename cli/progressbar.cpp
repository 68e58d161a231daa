#include "progressbar.h"

#include <atomic>
#include <csignal>
#include <cstdio>

#include <unistd.h>

namespace gkp::cli {

namespace {
std::atomic<bool> s_interrupted{false};
extern "C" void onSigint(int)
{
    s_interrupted = true;
}
} // namespace

ProgressBar::ProgressBar(std::string label) : m_label(std::move(label)), m_tty(::isatty(STDERR_FILENO)) {}

void ProgressBar::installInterruptHandler()
{
    std::signal(SIGINT, onSigint);
}

ProgressBar::~ProgressBar()
{
    if (m_tty && m_lastPermille >= 0)
        std::fprintf(stderr, "\r\033[K");
}

bool ProgressBar::interrupted()
{
    return s_interrupted;
}

ProgressFn ProgressBar::callback()
{
    return [this](int done, int total) {
        if (m_tty && total > 0) {
            const int permille = int(1000LL * done / total);
            if (permille != m_lastPermille) {
                m_lastPermille = permille;
                const int width = 30, filled = width * done / total;
                std::fprintf(stderr, "\r%s [%.*s%*s] %d/%d", m_label.c_str(), filled,
                             "##############################", width - filled, "", done, total);
                std::fflush(stderr);
            }
        }
        return !s_interrupted.load();
    };
}

} // namespace gkp::cli
