#include "onnx/onnxnames.h"

#include <cctype>
#include <cstdio>
#include <set>

namespace gkp {

std::string onnxNodeName(const std::string &name, const std::string &opType, int index)
{
    return name.empty() ? opType + "_" + std::to_string(index) : name;
}

namespace {

bool plainIdentifier(const std::string &s)
{
    if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0])))
        return false;
    for (char c : s)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
            return false;
    return true;
}

bool reserved(const std::string &s)
{
    static const std::set<std::string> words = {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
        "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
        "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
        "training", "forward", "self", "torch", "Tensor", "List", "Optional", "Tuple", "float", "int", "bool"};
    return words.count(s) > 0 || s.rfind("o_", 0) == 0;
}

} // namespace

std::string moduleNameFor(const std::string &onnxName)
{
    if (plainIdentifier(onnxName) && !reserved(onnxName))
        return onnxName;
    std::string out = "o_";
    for (unsigned char c : onnxName) {
        if (std::isalnum(c)) {
            out += char(c);
        } else if (c == '_') {
            out += "__";
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "_%02x", c);
            out += hex;
        }
    }
    return out;
}

} // namespace gkp
