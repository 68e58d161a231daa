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

std::string onnxNameFromModule(const std::string &module)
{
    if (module.rfind("o_", 0) != 0)
        return module;
    std::string out;
    for (std::size_t i = 2; i < module.size(); ++i) {
        if (module[i] != '_') {
            out += module[i];
        } else if (i + 1 < module.size() && module[i + 1] == '_') {
            out += '_';
            ++i;
        } else if (i + 2 < module.size() && std::isxdigit(static_cast<unsigned char>(module[i + 1])) &&
                   std::isxdigit(static_cast<unsigned char>(module[i + 2]))) {
            out += char(std::stoi(module.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            return module; // not something moduleNameFor writes
        }
    }
    return out;
}

} // namespace gkp
