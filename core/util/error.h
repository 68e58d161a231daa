#pragma once

#include <functional>
#include <stdexcept>
#include <string>

namespace gkp {

// Every failure the user can cause (bad file, bad shape, bad plan) is reported as gkp::Error
// with a one-line, human-readable message. Programming errors stay assertions.
class Error : public std::runtime_error
{
public:
    explicit Error(const std::string &message) : std::runtime_error(message) {}
};

// Thrown by long operations when their progress callback asks to stop.
class Cancelled : public std::runtime_error
{
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

// Progress/cancel callback shared by the CLI (progress bar) and the GUI (progress dialog):
// return false to cancel.
using ProgressFn = std::function<bool(int done, int total)>;

} // namespace gkp
