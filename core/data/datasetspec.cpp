#include "data/datasetspec.h"

#include "data/cifarreader.h"
#include "data/idxreader.h"
#include "data/imagefolder.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace gkp {

namespace {

const char *const Grammar =
    "expected fashion-mnist[:DIR][:test|train], mnist[:DIR][:test|train], idx:IMAGES,LABELS, "
    "cifar10:FILE_OR_DIR[:test|train], cifar100:FILE_OR_DIR[:test|train] or folder:DIR, "
    "optionally followed by ,size=HxW ,channels=N ,mean=a/b/c ,std=a/b/c";

std::vector<std::string> split(const std::string &text, char separator)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos)
            return parts;
        start = end + 1;
    }
}

long parseInt(const std::string &text, const std::string &what, long min, long max)
{
    char *end = nullptr;
    errno = 0;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno != 0 || value < min || value > max)
        throw Error("invalid " + what + " '" + text + "' in dataset spec: expected a whole number from " +
                    std::to_string(min) + " to " + std::to_string(max));
    return value;
}

std::vector<float> parseFloats(const std::string &text, const std::string &what)
{
    std::vector<float> values;
    for (const std::string &part : split(text, '/')) {
        char *end = nullptr;
        const float value = std::strtof(part.c_str(), &end);
        if (part.empty() || *end != '\0' || !std::isfinite(value))
            throw Error("invalid " + what + " '" + text +
                        "' in dataset spec: expected 1 or 3 numbers like "
                        "0.5 or 0.485/0.456/0.406");
        values.push_back(value);
    }
    if (values.size() != 1 && values.size() != 3)
        throw Error("invalid " + what + " '" + text +
                    "' in dataset spec: give 1 value or 3 (one per channel)");
    return values;
}

// Splits a trailing ":test" / ":train" off `rest`; a bare "test"/"train" is a split, not a path
// (write ./test for a directory of that name).
void takeSplit(std::string &rest, std::string &splitName)
{
    for (const char *name : {"test", "train"}) {
        const std::string suffix = std::string(":") + name;
        if (rest == name) {
            splitName = name;
            rest.clear();
            return;
        }
        if (rest.size() > suffix.size() &&
            rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) == 0) {
            splitName = name;
            rest.erase(rest.size() - suffix.size());
            return;
        }
    }
}

void applyOption(DatasetSpec &spec, const std::string &key, const std::string &value)
{
    if (key == "size") {
        const std::vector<std::string> hw = split(value, 'x');
        if (hw.size() != 1 && hw.size() != 2)
            throw Error("invalid size '" + value + "' in dataset spec: expected HxW, e.g. 28x28");
        spec.height = int(parseInt(hw[0], "size", 1, 8192));
        spec.width = int(parseInt(hw.back(), "size", 1, 8192));
    } else if (key == "channels") {
        const long c = parseInt(value, "channel count", 1, 3);
        if (c == 2)
            throw Error("invalid channel count '2' in dataset spec: expected 1 (grey) or 3 (RGB)");
        spec.channels = int(c);
    } else if (key == "mean") {
        spec.mean = parseFloats(value, "mean");
    } else if (key == "std") {
        spec.std = parseFloats(value, "std");
        for (float s : spec.std)
            if (!(s > 0.0f))
                throw Error("invalid std '" + value + "' in dataset spec: every value must be positive");
    } else if (key == "classes") {
        if (spec.format != DatasetFormat::Idx)
            throw Error("the dataset option classes=N applies to idx: datasets only");
        spec.classes = parseInt(value, "class count", 1, 256);
    } else {
        throw Error("unknown dataset option '" + key + "=" + value +
                    "': options are size=HxW, channels=N, mean=a/b/c, std=a/b/c, classes=N (idx)");
    }
}

bool isOption(const std::string &token)
{
    const std::size_t eq = token.find('=');
    if (eq == std::string::npos)
        return false;
    const std::string key = token.substr(0, eq);
    return key.find('/') == std::string::npos && key.find('.') == std::string::npos;
}

} // namespace

DatasetSpec parseDatasetSpec(const std::string &text)
{
    const std::vector<std::string> tokens = split(text, ',');
    const std::string &source = tokens.front();
    if (source.empty())
        throw Error("empty dataset spec: " + std::string(Grammar));

    DatasetSpec spec;
    const std::size_t colon = source.find(':');
    std::string kind = source.substr(0, colon);
    std::transform(kind.begin(), kind.end(), kind.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    std::string rest = colon == std::string::npos ? std::string() : source.substr(colon + 1);

    if (kind == "fashion-mnist" || kind == "fashion_mnist" || kind == "fashionmnist" || kind == "mnist") {
        spec.format = kind == "mnist" ? DatasetFormat::Mnist : DatasetFormat::FashionMnist;
        takeSplit(rest, spec.split);
        spec.path = rest;
    } else if (kind == "cifar10" || kind == "cifar-10" || kind == "cifar100" || kind == "cifar-100") {
        spec.format =
            kind.find("100") != std::string::npos ? DatasetFormat::Cifar100 : DatasetFormat::Cifar10;
        takeSplit(rest, spec.split);
        if (rest.empty())
            throw Error("'" + source + "' needs a batch file or a directory: " + kind +
                        ":FILE_OR_DIR[:test|train]");
        spec.path = rest;
    } else if (kind == "idx") {
        spec.format = DatasetFormat::Idx;
        if (rest.empty())
            throw Error("'" + source + "' needs the two IDX files: idx:IMAGES,LABELS");
        spec.path = rest;
    } else if (kind == "folder") {
        spec.format = DatasetFormat::Folder;
        if (rest.empty())
            throw Error("'" + source + "' needs a directory: folder:DIR (one subfolder per class)");
        spec.path = rest;
    } else {
        throw Error("unknown dataset '" + source + "': " + Grammar);
    }

    for (std::size_t i = 1; i < tokens.size(); ++i) {
        const std::string &token = tokens[i];
        if (isOption(token)) {
            const std::size_t eq = token.find('=');
            applyOption(spec, token.substr(0, eq), token.substr(eq + 1));
        } else if (spec.format == DatasetFormat::Idx && spec.labels_path.empty() && !token.empty()) {
            spec.labels_path = token;
        } else {
            throw Error("unexpected '" + token + "' in dataset spec '" + text +
                        "': options look like size=HxW, channels=N, mean=a/b/c, std=a/b/c");
        }
    }
    if (spec.format == DatasetFormat::Idx && spec.labels_path.empty())
        throw Error("'" + text + "' names no label file: idx:IMAGES,LABELS");
    return spec;
}

Normalization defaultNormalization(DatasetFormat format)
{
    switch (format) {
    case DatasetFormat::FashionMnist:
        return normalization::fashionMnist();
    case DatasetFormat::Mnist:
        return normalization::mnist();
    case DatasetFormat::Idx:
        return normalization::identity();
    case DatasetFormat::Cifar10:
        return normalization::cifar10();
    case DatasetFormat::Cifar100:
        return normalization::cifar100();
    case DatasetFormat::Folder:
        return normalization::imagenet();
    }
    return normalization::identity();
}

} // namespace gkp
