#include "util/format.h"

#include <cstdio>

namespace gkp {

std::string humanCount(double value)
{
    const char *suffix[] = {"", "K", "M", "G", "T"};
    int i = 0;
    while (value >= 1000.0 && i < 4) {
        value /= 1000.0;
        ++i;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, i == 0 ? "%.0f%s" : "%.2f%s", value, suffix[i]);
    return buf;
}

} // namespace gkp
