#pragma once

namespace gkp {

// Sets LibTorch's intra-op thread count: `threads` when > 0, else one per hardware thread
// (Debian's LibTorch otherwise starts with a single thread). Call once at program start.
void configureThreads(int threads = 0);
int threadCount();

} // namespace gkp
