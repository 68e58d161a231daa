#include "util/binaryfile.h"

#include "util/error.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <zlib.h>

namespace gkp {

namespace {
gzFile handle(void *file)
{
    return static_cast<gzFile>(file);
}
} // namespace

BinaryFile::BinaryFile(const std::string &path) : m_path(path)
{
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        throw Error("cannot open '" + path + "': no such file");
    if (std::filesystem::is_directory(path, ec))
        throw Error("cannot open '" + path + "': it is a directory, not a file");
    m_file = gzopen(path.c_str(), "rb");
    if (!m_file)
        throw Error("cannot open '" + path + "': " + std::strerror(errno));
    gzbuffer(handle(m_file), 1 << 20);
}

BinaryFile::~BinaryFile()
{
    if (m_file)
        gzclose(handle(m_file));
}

void BinaryFile::read(void *data, std::size_t size, const std::string &what)
{
    auto *out = static_cast<unsigned char *>(data);
    while (size > 0) {
        const unsigned step = unsigned(std::min<std::size_t>(size, INT_MAX / 2));
        const int got = gzread(handle(m_file), out, step);
        if (got < 0) {
            int code = 0;
            std::string message = gzerror(handle(m_file), &code);
            if (message.rfind(m_path + ": ", 0) == 0) // zlib prefixes the path, which we already name
                message.erase(0, m_path.size() + 2);
            if (code == Z_BUF_ERROR) // zlib's "unexpected end of file"
                throw Error("'" + m_path + "' is truncated: the gzip stream ends in " + what);
            throw Error("'" + m_path + "': corrupt gzip data (" + message + ") while reading " + what);
        }
        if (got == 0)
            throw Error("'" + m_path + "' is truncated: the file ends in " + what);
        out += got;
        size -= std::size_t(got);
    }
}

uint32_t BinaryFile::readBigEndian32(const std::string &what)
{
    unsigned char b[4];
    read(b, 4, what);
    return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
}

bool BinaryFile::atEnd()
{
    unsigned char b;
    const int got = gzread(handle(m_file), &b, 1);
    if (got < 0) {
        int code = 0;
        throw Error("'" + m_path + "': corrupt gzip data (" + gzerror(handle(m_file), &code) + ")");
    }
    return got == 0;
}

} // namespace gkp
