#pragma once

#include <string>

namespace gkp {

// Writes `data` to `path` through a temporary file in the same directory and a rename, so a
// reader never sees a half-written file and an interrupted write leaves nothing behind.
// Throws gkp::Error naming the path and the reason.
void writeFileAtomically(const std::string &path, const std::string &data);

// A temporary path beside `path` for writers that need a file name (e.g. torch::jit::save);
// commit with commitTemporary(), or removeTemporary() on failure.
std::string temporaryPathFor(const std::string &path);
void commitTemporary(const std::string &temporary, const std::string &path);
void removeTemporary(const std::string &temporary) noexcept;

// Checks early that `path` can be created (directory exists and is writable).
void checkWritable(const std::string &path);

} // namespace gkp
