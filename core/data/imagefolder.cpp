#include "data/imagefolder.h"

#include "util/error.h"

#include <torch/torch.h>

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC // our private copy: no clash with another stb_image in the process
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_NO_STDIO_WARNINGS
#include <algorithm>
#include <filesystem>
#include <stb_image.h>

namespace gkp {

namespace fs = std::filesystem;

namespace {

bool isImageFile(const fs::path &path)
{
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

std::vector<fs::path> sortedEntries(const fs::path &dir, bool directories)
{
    std::vector<fs::path> out;
    std::error_code ec;
    for (const fs::directory_entry &e : fs::directory_iterator(dir, ec)) {
        if (directories ? e.is_directory(ec) : (e.is_regular_file(ec) && isImageFile(e.path())))
            out.push_back(e.path());
    }
    if (ec)
        throw Error("cannot list '" + dir.string() + "': " + ec.message());
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

torch::Tensor decodeImage(const std::string &path, int channels)
{
    int w = 0, h = 0, original = 0;
    stbi_uc *data = stbi_load(path.c_str(), &w, &h, &original, channels);
    if (!data)
        throw Error("cannot decode image '" + path +
                    "': not a readable PNG or JPEG (stb_image: " + stbi_failure_reason() + ")");
    torch::Tensor hwc = torch::from_blob(data, {h, w, channels}, torch::kUInt8).permute({2, 0, 1}).clone();
    stbi_image_free(data);
    return hwc;
}

RawDataset readImageFolder(const std::string &dir, const ImageFolderOptions &options,
                           const ProgressFn &progress)
{
    if (options.channels != 1 && options.channels != 3)
        throw Error("image folders can be read with 1 or 3 channels, not " +
                    std::to_string(options.channels));
    if (options.height < 1 || options.width < 1)
        throw Error("invalid image size " + std::to_string(options.height) + "x" +
                    std::to_string(options.width));
    std::error_code ec;
    if (!fs::exists(dir, ec))
        throw Error("cannot open image folder '" + dir + "': no such directory");
    if (!fs::is_directory(dir, ec))
        throw Error("'" + dir + "' is not a directory: an image folder has one subfolder per class");

    RawDataset raw;
    std::vector<std::pair<fs::path, int64_t>> samples;
    for (const fs::path &classDir : sortedEntries(dir, true)) {
        const std::vector<fs::path> files = sortedEntries(classDir, false);
        // An empty subfolder still takes a class id, so ids stay those of the sorted folder names.
        for (const fs::path &f : files)
            samples.emplace_back(f, int64_t(raw.class_names.size()));
        raw.class_names.push_back(classDir.filename().string());
    }
    if (samples.empty()) {
        if (!sortedEntries(dir, false).empty())
            throw Error("'" + dir +
                        "' has images but no class subfolders: put each class's images in its own "
                        "subfolder (DIR/<class>/<image>.png)");
        throw Error("'" + dir + "' has no PNG or JPEG images in class subfolders (DIR/<class>/<image>.png)");
    }
    if (raw.class_names.size() < 2)
        throw Error("'" + dir + "' has a single class subfolder ('" + raw.class_names.front() +
                    "'); a classification dataset needs one subfolder per class");

    const int64_t n = options.limit >= 0 ? std::min<int64_t>(options.limit, int64_t(samples.size()))
                                         : int64_t(samples.size());
    raw.pixels = torch::empty({n, options.channels, options.height, options.width}, torch::kUInt8);
    raw.labels = torch::empty({n}, torch::kLong);
    torch::NoGradGuard noGrad;
    for (int64_t i = 0; i < n; ++i) {
        const torch::Tensor image = decodeImage(samples[std::size_t(i)].first.string(), options.channels);
        torch::Tensor x = image.unsqueeze(0).to(torch::kFloat);
        x = resizeShorterSideAndCrop(x, options.height, options.width);
        raw.pixels[i].copy_(x[0].round().clamp(0, 255).to(torch::kUInt8));
        raw.labels[i] = samples[std::size_t(i)].second;
        reportProgress(progress, i + 1, n);
    }
    raw.classes = int64_t(raw.class_names.size());
    raw.description = "image folder " + dir;
    return raw;
}

} // namespace gkp
