#pragma once

// QCOMPARE support for the std and gkp types the tests compare.

#include "model/inventory.h"

#include <QtTest>

#include <string>
#include <vector>

namespace QTest {

template <>
inline char *toString(const std::string &s)
{
    return qstrdup(s.c_str());
}

template <>
inline char *toString(const std::vector<int64_t> &v)
{
    return qstrdup(gkp::formatShape(v).c_str());
}

template <>
inline char *toString(const std::vector<int> &v)
{
    return qstrdup(gkp::formatShape(gkp::Shape(v.begin(), v.end())).c_str());
}

} // namespace QTest

namespace gkptest {

// A layer name that ends in `tail` and is longer than it ("layer1.0.conv1", not the stem "conv1").
inline bool endsWith(const std::string &name, const std::string &tail)
{
    return name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0;
}

inline bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

} // namespace gkptest
