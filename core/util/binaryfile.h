#pragma once

#include <cstdint>
#include <string>

namespace gkp {

// Reads a file that may be gzip-compressed (detected from its content, not its name), so
// MNIST's .gz files and their unpacked copies are read the same way. Every failure is a
// gkp::Error naming the file.
class BinaryFile
{
public:
    explicit BinaryFile(const std::string &path);
    ~BinaryFile();
    BinaryFile(const BinaryFile &) = delete;
    BinaryFile &operator=(const BinaryFile &) = delete;

    const std::string &path() const { return m_path; }
    // Reads exactly `size` bytes; `what` names the missing part in the "truncated" message.
    void read(void *data, std::size_t size, const std::string &what);
    uint32_t readBigEndian32(const std::string &what);
    // True when nothing is left (reads one byte to find out).
    bool atEnd();

private:
    std::string m_path;
    void *m_file = nullptr; // gzFile; zlib stays out of this header
};

} // namespace gkp
