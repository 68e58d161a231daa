#include "table.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>

namespace gkp::cli {

Table::Table(std::vector<std::string> headers, std::vector<bool> rightAligned)
    : m_headers(std::move(headers)), m_right(std::move(rightAligned))
{
    m_right.resize(m_headers.size(), false);
}

void Table::addRow(std::vector<std::string> cells)
{
    cells.resize(m_headers.size());
    m_rows.push_back(std::move(cells));
}

void Table::print(std::ostream &out) const
{
    std::vector<std::size_t> width(m_headers.size());
    for (std::size_t c = 0; c < m_headers.size(); ++c) {
        width[c] = m_headers[c].size();
        for (const auto &row : m_rows)
            width[c] = std::max(width[c], row[c].size());
    }
    auto printRow = [&](const std::vector<std::string> &cells) {
        for (std::size_t c = 0; c < cells.size(); ++c) {
            out << (c ? "  " : "");
            if (m_right[c])
                out << std::setw(static_cast<int>(width[c])) << std::right << cells[c];
            else if (c + 1 < cells.size())
                out << std::setw(static_cast<int>(width[c])) << std::left << cells[c];
            else
                out << cells[c];
        }
        out << '\n';
    };
    printRow(m_headers);
    std::size_t total = 0;
    for (std::size_t w : width)
        total += w + 2;
    out << std::string(total > 2 ? total - 2 : 0, '-') << '\n';
    for (const auto &row : m_rows)
        printRow(row);
}

} // namespace gkp::cli
