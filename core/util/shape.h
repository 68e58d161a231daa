#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gkp {

using Shape = std::vector<int64_t>;

// "1,3,224,224" -> {1,3,224,224}; throws gkp::Error on anything else.
Shape parseShape(const std::string &text);
std::string formatShape(const Shape &shape, char separator = ',');
int64_t numel(const Shape &shape);

} // namespace gkp
