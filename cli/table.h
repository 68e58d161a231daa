#pragma once

#include "util/format.h"

#include <ostream>
#include <string>
#include <vector>

namespace gkp::cli {

// A plain-text table with right-aligned numeric columns, for readable CLI output.
class Table
{
public:
    explicit Table(std::vector<std::string> headers, std::vector<bool> rightAligned = {});
    void addRow(std::vector<std::string> cells);
    void print(std::ostream &out) const;

private:
    std::vector<std::string> m_headers;
    std::vector<bool> m_right;
    std::vector<std::vector<std::string>> m_rows;
};

using gkp::humanCount;

} // namespace gkp::cli
