#include "data/cifarreader.h"

#include "util/error.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <torch/torch.h>

namespace gkp {

namespace {

constexpr int64_t PixelBytes = 3 * 32 * 32;

struct Layout
{
    int64_t labelBytes;
    int64_t classes;
    const char *name;
};

Layout layoutOf(CifarKind kind)
{
    return kind == CifarKind::Cifar10 ? Layout{1, 10, "CIFAR-10"} : Layout{2, 100, "CIFAR-100"};
}

// Number of records in `path` after checking its size.
int64_t recordCount(const std::string &path, const Layout &layout)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error("cannot open '" + path + "': no such file");
    if (!fs::is_regular_file(path, ec))
        throw Error("cannot open '" + path + "': not a regular file");
    const auto size = int64_t(fs::file_size(path, ec));
    if (ec)
        throw Error("cannot read '" + path + "': " + ec.message());
    const int64_t record = layout.labelBytes + PixelBytes;
    if (size == 0)
        throw Error("'" + path + "' is empty: not a " + std::string(layout.name) + " binary batch");
    if (size % record != 0)
        throw Error("'" + path + "' is not a " + std::string(layout.name) + " binary batch: its size (" +
                    std::to_string(size) + " bytes) is not a multiple of the " + std::to_string(record) +
                    "-byte record (truncated, or the other CIFAR format?)");
    return size / record;
}

} // namespace

RawDataset readCifar(const std::vector<std::string> &files, const CifarReadOptions &options,
                     const ProgressFn &progress)
{
    if (files.empty())
        throw Error("no CIFAR batch files given");
    const Layout layout = layoutOf(options.kind);
    std::vector<int64_t> counts;
    int64_t total = 0;
    for (const std::string &file : files) {
        counts.push_back(recordCount(file, layout));
        total += counts.back();
    }
    const int64_t n = options.limit >= 0 ? std::min(options.limit, total) : total;

    RawDataset raw;
    raw.pixels = torch::empty({n, 3, 32, 32}, torch::kUInt8);
    raw.labels = torch::empty({n}, torch::kLong);
    auto *pixels = raw.pixels.data_ptr<uint8_t>();
    auto *labels = raw.labels.data_ptr<int64_t>();
    const int64_t record = layout.labelBytes + PixelBytes;
    std::vector<char> buffer;
    int64_t done = 0;
    for (std::size_t f = 0; f < files.size() && done < n; ++f) {
        const int64_t take = std::min(counts[f], n - done);
        std::ifstream in(files[f], std::ios::binary);
        buffer.resize(std::size_t(take * record));
        if (!in.read(buffer.data(), std::streamsize(buffer.size())))
            throw Error("cannot read '" + files[f] + "'");
        for (int64_t i = 0; i < take; ++i) {
            const auto *rec = reinterpret_cast<const unsigned char *>(buffer.data()) + i * record;
            const int64_t label = rec[layout.labelBytes - 1]; // CIFAR-100: coarse, then fine
            if (label >= layout.classes)
                throw Error("'" + files[f] + "': label " + std::to_string(label) + " of record " +
                            std::to_string(i) + " is out of range for " + layout.name + " (" +
                            std::to_string(layout.classes) + " classes)");
            labels[done + i] = label;
            std::copy(rec + layout.labelBytes, rec + record, pixels + (done + i) * PixelBytes);
        }
        done += take;
        reportProgress(progress, done, n);
    }
    raw.classes = layout.classes;
    raw.description =
        options.description.empty() ? std::string(layout.name) + " " + files.front() : options.description;
    return raw;
}

} // namespace gkp
