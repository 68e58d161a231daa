#include "runtime/threads.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <thread>

namespace gkp {

void configureThreads(int threads)
{
    if (threads <= 0) {
        if (const char *env = std::getenv("OMP_NUM_THREADS"); env && std::atoi(env) > 0)
            threads = std::atoi(env);
        else
            threads = int(std::max(1u, std::thread::hardware_concurrency()));
    }
    at::set_num_threads(threads);
}

int threadCount()
{
    return at::get_num_threads();
}

} // namespace gkp
