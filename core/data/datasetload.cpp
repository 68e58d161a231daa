// loadDataset(): from a parsed DatasetSpec to files on disk, then through the readers.

#include "data/cifarreader.h"
#include "data/datasetspec.h"
#include "data/idxreader.h"
#include "data/imagefolder.h"

#include <filesystem>

namespace gkp {

namespace fs = std::filesystem;

namespace {

bool isFile(const fs::path &p)
{
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

bool isDir(const fs::path &p)
{
    std::error_code ec;
    return fs::is_directory(p, ec);
}

// MNIST-style names, raw or gzipped; also the "t10k-images.idx3-ubyte" spelling some mirrors use.
fs::path findIdxFile(const fs::path &dir, const std::string &prefix, const std::string &kind, int dims)
{
    const std::string base = prefix + "-" + kind;
    const std::string ext = "idx" + std::to_string(dims) + "-ubyte";
    for (const std::string &name :
         {base + "-" + ext, base + "-" + ext + ".gz", base + "." + ext, base + "." + ext + ".gz"})
        if (isFile(dir / name))
            return dir / name;
    throw Error("'" + dir.string() + "' has no " + base + "-" + ext + "[.gz]");
}

RawDataset readMnistLike(const DatasetSpec &spec, int64_t limit, const ProgressFn &progress)
{
    const bool fashion = spec.format == DatasetFormat::FashionMnist;
    const std::string name = fashion ? "Fashion-MNIST" : "MNIST";
    fs::path dir = spec.path;
    if (dir.empty()) {
        dir = fashion ? InstalledFashionMnistDir : InstalledMnistDir;
        if (!isDir(dir))
            throw Error(name + " is not installed at " + dir.string() +
                        (fashion ? " (Debian package dataset-fashion-mnist)" : "") +
                        "; give its directory: " + (fashion ? "fashion-mnist:DIR" : "mnist:DIR"));
    } else if (!isDir(dir)) {
        throw Error("cannot open " + name + " directory '" + dir.string() + "': no such directory");
    }
    const std::string prefix = spec.split == "test" ? "t10k" : "train";
    IdxReadOptions options;
    options.classes = 10;
    options.limit = limit;
    options.description = name + " " + spec.split + ", " + dir.string();
    const std::string images = findIdxFile(dir, prefix, "images", 3).string();
    const std::string labels = findIdxFile(dir, prefix, "labels", 1).string();
    return readIdx(images, labels, options, progress);
}

std::vector<std::string> cifarFiles(const DatasetSpec &spec)
{
    const bool ten = spec.format == DatasetFormat::Cifar10;
    fs::path dir = spec.path;
    if (isFile(dir))
        return {dir.string()};
    if (!isDir(dir))
        throw Error("cannot open CIFAR batch file or directory '" + spec.path + "': no such file");
    // The official archives unpack into these folders; accept the parent too.
    const fs::path inner = dir / (ten ? "cifar-10-batches-bin" : "cifar-100-binary");
    if (isDir(inner))
        dir = inner;
    std::vector<std::string> names;
    if (!ten)
        names = {spec.split + ".bin"};
    else if (spec.split == "test")
        names = {"test_batch.bin"};
    else
        names = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                 "data_batch_5.bin"};
    std::vector<std::string> files;
    for (const std::string &n : names) {
        if (!isFile(dir / n))
            throw Error("'" + dir.string() + "' has no " + n + " (the " + spec.split + " split of " +
                        (ten ? "CIFAR-10" : "CIFAR-100") + " binary)");
        files.push_back((dir / n).string());
    }
    return files;
}

} // namespace

Dataset loadDataset(const DatasetSpec &spec, int64_t limit, const ProgressFn &progress)
{
    RawDataset raw;
    switch (spec.format) {
    case DatasetFormat::FashionMnist:
    case DatasetFormat::Mnist:
        raw = readMnistLike(spec, limit, progress);
        break;
    case DatasetFormat::Idx: {
        IdxReadOptions options;
        options.classes = spec.classes;
        options.limit = limit;
        raw = readIdx(spec.path, spec.labels_path, options, progress);
        break;
    }
    case DatasetFormat::Cifar10:
    case DatasetFormat::Cifar100: {
        CifarReadOptions options;
        options.kind = spec.format == DatasetFormat::Cifar10 ? CifarKind::Cifar10 : CifarKind::Cifar100;
        options.limit = limit;
        const std::vector<std::string> files = cifarFiles(spec);
        options.description =
            std::string(spec.format == DatasetFormat::Cifar10 ? "CIFAR-10 " : "CIFAR-100 ") +
            (files.size() == 1 && isFile(spec.path) ? spec.path : spec.split + ", " + spec.path);
        raw = readCifar(files, options, progress);
        break;
    }
    case DatasetFormat::Folder: {
        ImageFolderOptions options;
        options.channels = spec.channels.value_or(3);
        options.height = spec.height.value_or(224);
        options.width = spec.width.value_or(224);
        options.limit = limit;
        raw = readImageFolder(spec.path, options, progress);
        break;
    }
    }

    PrepareOptions prep;
    prep.channels = spec.channels.value_or(0);
    prep.height = spec.height.value_or(0);
    prep.width = spec.width.value_or(0);
    prep.normalization = defaultNormalization(spec.format);
    if (!spec.mean.empty())
        prep.normalization.mean = spec.mean;
    if (!spec.std.empty())
        prep.normalization.std = spec.std;
    return prepare(std::move(raw), prep, progress);
}

} // namespace gkp
