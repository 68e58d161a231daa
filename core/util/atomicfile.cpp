#include "util/atomicfile.h"

#include "util/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <fcntl.h>
#include <unistd.h>

namespace gkp {

namespace fs = std::filesystem;

namespace {
std::string parentOf(const std::string &path)
{
    fs::path parent = fs::path(path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}
} // namespace

void checkWritable(const std::string &path)
{
    std::error_code ec;
    const std::string dir = parentOf(path);
    if (!fs::is_directory(dir, ec))
        throw Error("cannot write '" + path + "': directory '" + dir + "' does not exist");
    if (fs::is_directory(path, ec))
        throw Error("cannot write '" + path + "': it is a directory");
    if (::access(dir.c_str(), W_OK) != 0)
        throw Error("cannot write '" + path + "': " + std::strerror(errno));
}

std::string temporaryPathFor(const std::string &path)
{
    checkWritable(path);
    std::random_device rd;
    const fs::path p(path);
    return (fs::path(parentOf(path)) / ("." + p.filename().string() + ".tmp" + std::to_string(rd() % 1000000)))
        .string();
}

void commitTemporary(const std::string &temporary, const std::string &path)
{
    if (int fd = ::open(temporary.c_str(), O_RDONLY); fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        removeTemporary(temporary);
        throw Error("cannot write '" + path + "': " + reason);
    }
}

void removeTemporary(const std::string &temporary) noexcept
{
    std::error_code ec;
    fs::remove(temporary, ec);
}

void writeFileAtomically(const std::string &path, const std::string &data)
{
    const std::string tmp = temporaryPathFor(path);
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error("cannot write '" + path + "': " + std::strerror(errno));
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        out.flush();
        if (!out) {
            const std::string reason = std::strerror(errno);
            out.close();
            removeTemporary(tmp);
            throw Error("cannot write '" + path + "': " + reason);
        }
    }
    commitTemporary(tmp, path);
}

} // namespace gkp
