#include "util/shape.h"

#include "util/error.h"

#include <charconv>
#include <sstream>

namespace gkp {

Shape parseShape(const std::string &text)
{
    Shape shape;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find_first_of(",x", start);
        if (end == std::string::npos)
            end = text.size();
        const std::string part = text.substr(start, end - start);
        int64_t value = 0;
        const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || value <= 0)
            throw Error("invalid input shape '" + text + "': expected positive integers like 1,3,224,224");
        shape.push_back(value);
        start = end + 1;
    }
    if (shape.size() < 2 || shape.size() > 5)
        throw Error("invalid input shape '" + text + "': expected 2 to 5 dimensions, like 1,3,224,224");
    return shape;
}

std::string formatShape(const Shape &shape, char separator)
{
    std::ostringstream out;
    for (std::size_t i = 0; i < shape.size(); ++i)
        out << (i ? std::string(1, separator) : std::string()) << shape[i];
    return out.str();
}

int64_t numel(const Shape &shape)
{
    int64_t n = 1;
    for (int64_t d : shape)
        n *= d;
    return n;
}

} // namespace gkp
